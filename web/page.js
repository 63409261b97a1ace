// The page's behaviour that Gradio has no component for: keep the newest answer's first line in view,
// copy answers as plain text, suggestion chips, and the page viewer (the whole page, the cell outlined,
// a link to the PDF). Loaded from /api/page.js (same origin, so the security policy allows it).
(function () {
  "use strict";

  function scroller(el) {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (/(auto|scroll)/.test(s.overflowY) && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  }

  // After an answer arrives (or a question is sent), show the top of the newest message: the chat
  // scrolls inside itself, and the window moves only when the chat is off screen.
  let lastSeen = null;
  function showNewest() {
    const chat = document.getElementById("bq-chat");
    if (!chat) return;
    const msgs = chat.querySelectorAll(".bq-msg");
    const last = msgs[msgs.length - 1];
    if (!last || last === lastSeen) return;
    lastSeen = last;
    const box = scroller(last);
    if (box) {
      const top = last.getBoundingClientRect().top - box.getBoundingClientRect().top;
      box.scrollTop += top - 8;
    }
    const r = last.getBoundingClientRect();
    if (r.top < 0 || r.top > window.innerHeight - 60) window.scrollBy(0, r.top - 80);
  }
  // Gradio names chat messages by their raw HTML and some controls in English: screen readers get
  // the answer's text and Chinese names instead.
  const NAMES = { "chatbot conversation": "对话", "More tabs": "更多标签页", "Scroll down": "滚动到最新消息",
                  "Copy message": "复制", "Table actions": "表格操作",
                  "Copy table data": "复制表格数据", "Fullscreen": "全屏", "Exit fullscreen": "退出全屏",
                  "Click to upload or drop files": "选择要上传的 PDF 文件（点击或拖放）", "Upload": "上传",
                  "Remove": "移除", "Clear uploads": "清除已选文件", "Download": "下载", "Close": "关闭",
                  "Sort ascending": "升序排列", "Sort descending": "降序排列", "Search": "搜索",
                  "Uploaded files": "已选文件", "Remove this file": "移除这个文件", "Remove file": "移除文件",
                  "Upload a file": "上传文件", "Upload file": "上传文件", "Uploading": "正在上传",
                  "Open cell menu": "排序和筛选", "Sorted ascending": "已升序排列", "Sorted descending": "已降序排列",
                  "File upload": "文件上传", "Not sorted": "未排序", "Empty value": "未选择", "common.upload": "上传",
                  "common.clear": "清除", "common.download": "下载", "common.remove": "移除" };
  // words Gradio prints in its menus (the table's column menu) without a translation
  const TEXTS = { "Filter": "筛选", "Clear filters": "清除筛选", "Apply": "应用", "Cancel": "取消" };
  function retext() {
    for (const el of document.querySelectorAll("[role=menuitem], [role=menu] button, [role=menu] span")) {
      for (const node of el.childNodes) {
        const word = node.nodeType === Node.TEXT_NODE ? node.textContent.trim() : "";
        if (TEXTS[word]) node.textContent = node.textContent.replace(word, TEXTS[word]);
      }
    }
  }
  function relabel() {
    for (const el of document.querySelectorAll("[aria-label]")) {
      const name = el.getAttribute("aria-label");
      if (name === "Clear") el.setAttribute("aria-label", el.closest("#bq-chat") ? "清空对话" : "清除");
      else if (NAMES[name]) el.setAttribute("aria-label", NAMES[name]);
      else if (name.startsWith("bot's message:")) {
        const a = el.querySelector(".bq-answer, .bq-pending");
        el.setAttribute("aria-label", "回答：" + (a ? a.innerText.trim() : el.innerText.trim()).slice(0, 300));
      } else if (name.startsWith("user's message:")) el.setAttribute("aria-label", "问题：" + name.slice(15).trim());
    }
  }
  // components re-render their own English names (aria-label changes) as well as add new nodes
  new MutationObserver(() => requestAnimationFrame(() => { relabel(); retext(); showNewest(); }))
    .observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"] });

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { area.remove(); }
    return Promise.resolve();
  }

  function ask(question) {
    const box = document.querySelector("#bq-question textarea");
    const send = document.getElementById("bq-send");
    if (!box || !send) return;
    box.value = question;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => send.click(), 50);
  }

  // Gradio's sanitizer drops data-* attributes from chat messages, so everything is read from the
  // message's own elements: the text for copying, the page viewer's URL for the PDF's.
  function messageText(msg) {
    const text = (sel) => [...msg.querySelectorAll(sel)].map((e) => e.innerText.trim()).filter(Boolean);
    const lines = text(".bq-answer").concat(text(".bq-computation"));
    for (const card of msg.querySelectorAll(".bq-src")) {
      const part = (sel) => { const e = card.querySelector(sel); return e ? e.innerText.trim() : ""; };
      const quote = part(".bq-src-quote");
      lines.push("来源：" + part(".bq-src-where") + "，" + part(".bq-src-head") +
                 (quote && quote.length < 40 ? "（" + quote + "）" : ""));
    }
    if (!msg.querySelector(".bq-src")) lines.push(...text(".bq-source-line"));
    return lines.join("\n");
  }

  function viewerTarget(link) {
    const url = new URL(link.getAttribute("href"), location.href);
    const doc = url.searchParams.get("document") || "";
    return { pageUrl: url.pathname + url.search, page: url.searchParams.get("page") || "",
             pdfUrl: doc ? "/api/pdf/" + encodeURIComponent(doc) : "" };
  }

  function closeViewer() {
    const v = document.getElementById("bq-viewer");
    if (v) v.remove();
  }

  function openViewer(link) {
    closeViewer();
    const target = viewerTarget(link);
    const page = target.page;
    const v = document.createElement("div");
    v.id = "bq-viewer";
    v.setAttribute("role", "dialog");
    v.setAttribute("aria-modal", "true");
    v.setAttribute("aria-label", "原文第" + page + "页");
    const bar = document.createElement("div");
    bar.className = "bq-viewer-bar";
    const title = document.createElement("span");
    title.textContent = "原文第" + page + "页（红框为引用的单元格）";
    bar.appendChild(title);
    if (target.pdfUrl) {
      const open = document.createElement("a");
      open.href = target.pdfUrl + "#page=" + page;
      open.target = "_blank";
      open.rel = "noopener";
      open.textContent = "打开PDF";
      const dl = document.createElement("a");
      dl.href = target.pdfUrl + "?download=1";
      dl.textContent = "下载PDF";
      bar.append(open, dl);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "关闭";
    close.setAttribute("aria-label", "关闭原文");
    close.addEventListener("click", closeViewer);
    bar.appendChild(close);
    const body = document.createElement("div");
    body.className = "bq-viewer-body";
    const img = document.createElement("img");
    img.alt = "原文第" + page + "页";
    img.addEventListener("load", () => {  // a page wider or taller than the screen: scroll to the cell
      cellBox(img).then((f) => {
        if (!f) return;
        const x = ((f[0] + f[2]) / 2) * img.clientWidth, y = ((f[1] + f[3]) / 2) * img.clientHeight;
        body.scrollLeft = Math.max(0, x - body.clientWidth / 2);
        body.scrollTop = Math.max(0, y - body.clientHeight / 2);
        body.dataset.bqCellX = String(Math.round(x));
      });
    });
    img.src = target.pageUrl;
    body.appendChild(img);
    v.append(bar, body);
    v.addEventListener("click", (e) => { if (e.target === v) closeViewer(); });
    document.body.appendChild(v);
    close.focus();
  }

  // A crop wider than its card (a wide table on a phone) scrolls inside the card: bring the outlined
  // cell into view. Where the cell stands comes with the image (X-Cell-Box, fractions of the crop);
  // the second fetch is answered from the browser's cache.
  function cellBox(img) {
    return fetch(img.currentSrc || img.src, { cache: "force-cache" }).then((r) => {
      const f = (r.headers.get("X-Cell-Box") || "").split(",").map(Number);
      return f.length === 4 && !f.some(isNaN) ? f : null;
    }).catch(() => null);
  }
  function showCell(img) {
    const wrap = img.closest(".bq-src-imgwrap");
    if (!wrap || !img.naturalWidth) return;
    cellBox(img).then((f) => {
      if (!f) return;
      // the image is drawn with object-fit: contain from the top left corner of its box
      const scale = Math.min(img.clientWidth / img.naturalWidth, img.clientHeight / img.naturalHeight);
      const center = ((f[0] + f[2]) / 2) * img.naturalWidth * scale;
      wrap.dataset.bqCellX = String(Math.round(center));
      if (wrap.scrollWidth > wrap.clientWidth) wrap.scrollLeft = Math.max(0, center - wrap.clientWidth / 2);
    });
  }
  document.addEventListener("load", (e) => {
    const t = e.target;
    if (t instanceof HTMLImageElement && t.classList.contains("bq-src-img")) showCell(t);
  }, true);
  document.addEventListener("toggle", (e) => {  // a card opened after its image loaded
    const d = e.target;
    if (d instanceof HTMLDetailsElement && d.open) for (const img of d.querySelectorAll("img.bq-src-img")) if (img.complete) showCell(img);
  }, true);

  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeViewer(); });
  document.addEventListener("click", (e) => {
    const t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    const copy = t.closest(".bq-copy");
    if (copy) {
      e.preventDefault();
      const msg = copy.closest(".bq-msg");
      copyText(msg ? messageText(msg) : "").then(() => {
        copy.textContent = "已复制";
        setTimeout(() => { copy.textContent = "复制"; }, 1500);
      });
      return;
    }
    const chip = t.closest(".bq-chip");
    if (chip) { e.preventDefault(); ask((chip.textContent || "").trim()); return; }
    const view = t.closest("a.bq-src-imgwrap");
    if (view && (view.getAttribute("href") || "").includes("/api/page-view")) { e.preventDefault(); openViewer(view); }
  });
})();
