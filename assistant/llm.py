"""Optional: a language model phrases the answer; a grounding check keeps it honest.

Without BUDGETQA_LLM nothing here runs. With it, the deterministic answer (figures, citations,
computation) is given to the model to phrase in plain Chinese; if the model's text states any number
that is not in the citations or the computation, the deterministic answer is returned instead.
"""

from __future__ import annotations

import logging
from typing import Protocol

from assistant.grounding import ungrounded
from assistant.records import Answer
from budgetqa.errors import BudgetQAError

log = logging.getLogger(__name__)


class ChatModel(Protocol):
    """What phrasing asks of a language model (a LangChain chat model has it): a prompt in, a reply out
    (a message whose `content` is the text, or the text)."""

    def invoke(self, prompt: str, /) -> object: ...


PROMPT = (
    "你是政府预算问答助手。请用一两句通顺的中文改写下面的答案，保留所有数字和单位，不得增加任何新的数字，"
    "不得编造。只输出改写后的答案。\n问题：{question}\n答案：{answer}"
)


def chat_model(spec: str) -> ChatModel:
    """'openai:MODEL@BASE_URL' (OpenAI-compatible endpoint) or 'ollama:MODEL'."""
    kind, _, rest = spec.partition(":")
    try:
        if kind == "openai":
            from langchain_openai import ChatOpenAI  # type: ignore[import-not-found]

            model, _, base = rest.partition("@")
            return ChatOpenAI(model=model, base_url=base or None, temperature=0)
        if kind == "ollama":
            from langchain_ollama import ChatOllama  # type: ignore[import-not-found]

            return ChatOllama(model=rest, temperature=0)
    except ImportError as exc:
        name = exc.name or "langchain-openai"
        raise BudgetQAError(f"BUDGETQA_LLM={spec}: install {name} (pip install {name.replace('_', '-')})") from exc
    raise BudgetQAError(f"BUDGETQA_LLM={spec}: use 'openai:MODEL@BASE_URL' or 'ollama:MODEL'")


def phrase(answer: Answer, model: ChatModel) -> Answer:
    """The model's wording when every number in it is grounded; else the deterministic answer."""
    if answer.status != "answered":
        return answer
    try:
        reply = model.invoke(PROMPT.format(question=answer.question, answer=answer.answer))
        text = str(getattr(reply, "content", reply)).strip()
    except Exception:  # a model that fails must not take the answer down with it
        log.warning("the language model failed; the deterministic answer stands", exc_info=True)
        return answer
    if not text or ungrounded(text, answer.to_json()):
        return answer
    return answer.model_copy(update={"answer": text})
