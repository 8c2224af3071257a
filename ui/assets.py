"""Page script (one <script> in <head>, event delegation, so it survives re-renders) and extra CSS.

- a click on ``[n]`` opens that source in the same answer, scrolls to it and flashes it;
- 复制 copies the answer as clean text with its sources (no HTML, no Markdown marks);
- a new answer is scrolled to its START once (the chatbot's own autoscroll is off);
- 课堂演示模式 is remembered in localStorage.
"""

SCRIPT = r"""
<script>
(() => {
  const msgOf = (el) => el.closest('.message-row, .message, [data-testid="bot"]') || el.parentElement;
  const scroller = (el) => { let s = el.parentElement;
    while (s && !(s.scrollHeight > s.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(s).overflowY))) s = s.parentElement;
    return s; };
  window.szScrollToAnswer = () => {
    const bots = document.querySelectorAll('#sz-chatbot .message-row.bot-row, #sz-chatbot [data-testid="bot"]');
    const last = bots[bots.length - 1]; if (!last) return;
    const s = scroller(last); if (!s) return;
    s.scrollTop += last.getBoundingClientRect().top - s.getBoundingClientRect().top - 8;
  };
  const cleanText = (msg) => {
    const root = (msg.querySelector('.prose, .message-content, .md') || msg).cloneNode(true);
    root.querySelectorAll('.sz-status-line, .sz-copy, .sz-support-hint, .sz-sources-title, button').forEach(e => e.remove());
    const lines = [];
    root.querySelectorAll('details.sz-source').forEach(d => {
      const s = d.querySelector('summary'); lines.push(s ? s.innerText.trim() : '');
      d.remove(); });
    root.querySelectorAll('.sz-sources').forEach(e => e.remove());
    let text = root.innerText.replace(/\n{3,}/g, '\n\n').trim();
    if (lines.length) text += '\n\n参考来源：\n' + lines.join('\n');
    return text;
  };
  document.addEventListener('click', (ev) => {
    const cite = ev.target.closest && ev.target.closest('.sz-cite');
    if (cite) {
      const n = (cite.className.match(/sz-cite-(\d+)/) || [])[1];
      const msg = msgOf(cite);
      const src = msg && msg.querySelector('details.sz-src-' + n);
      if (src) { src.open = true; src.classList.add('sz-flash');
        src.scrollIntoView({block: 'nearest'}); setTimeout(() => src.classList.remove('sz-flash'), 1600); }
      ev.preventDefault(); return;
    }
    const copy = ev.target.closest && ev.target.closest('.sz-copy');
    if (copy) {
      const text = cleanText(msgOf(copy));
      const done = () => { copy.textContent = '✔ 已复制'; setTimeout(() => copy.textContent = '复制', 1500); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => {});
      else { const t = document.createElement('textarea'); t.value = text; document.body.appendChild(t); t.select();
        try { document.execCommand('copy'); done(); } catch (e) {} t.remove(); }
      window.szLastCopy = text; ev.preventDefault();
    }
  }, true);
  let bots = -1;
  new MutationObserver(() => {
    const n = document.querySelectorAll('#sz-chatbot .message-row.bot-row, #sz-chatbot [data-testid="bot"]').length;
    if (n > bots && bots >= 0) requestAnimationFrame(window.szScrollToAnswer);
    bots = n;
  }).observe(document.documentElement, {childList: true, subtree: true});
  if (localStorage.getItem('sz-present')) {  // restore 课堂演示模式 once the checkbox exists
    const t = setInterval(() => { const box = document.querySelector('#sz-present input');
      if (box) { clearInterval(t); if (!box.checked) box.click(); } }, 300);
    setTimeout(() => clearInterval(t), 20000);
  }
  document.addEventListener('change', (ev) => {
    if (ev.target.closest && ev.target.closest('#sz-present')) localStorage.setItem('sz-present', ev.target.checked ? '1' : '');
  });
})();
</script>
"""

CSS = """
:root { --sz-chat-h: max(220px, calc(100vh - 420px)); }
#sz-top { align-items: center; gap: 8px; flex-wrap: nowrap; }
#sz-top .sz-header { margin-bottom: 0; padding-top: 2px; }
.sz-header h1 { white-space: nowrap; }
#sz-banner .sz-notice { padding: 4px 12px; }
#sz-examples { padding-top: 0 !important; margin-top: -4px; }
#sz-examples button { padding: 2px 8px !important; font-size: 15px !important; }
#sz-present { flex: 0 0 auto; }
.sz-cite { color: #b71c1c; cursor: pointer; font-weight: 600; padding: 0 1px; }
.sz-cite:hover { text-decoration: underline; }
.sz-copy { cursor: pointer; font-size: 14px; color: #555; border: 1px solid #ccc; border-radius: 10px;
  padding: 0 8px; margin-left: 6px; white-space: nowrap; }
mark.sz-support { background: #ffe98a; padding: 0 1px; }
.sz-support-hint { font-size: 14px; color: #777; margin-left: 18px; }
details.sz-flash { outline: 3px solid #ffb300; border-radius: 4px; }
.sz-original { margin-left: 8px; }
.sz-examples { flex-wrap: wrap !important; gap: 6px !important; }
.sz-examples > * { flex: 0 1 auto !important; min-width: 0 !important; }
.sz-examples-label-box { flex: 0 0 auto !important; }
.sz-examples-label { font-size: 16px; color: #555; }
.sz-passage, .sz-source-meta, .sz-report td { overflow-wrap: anywhere; word-break: break-word; }
@media (max-width: 640px) {
  .gradio-container .row { flex-wrap: wrap !important; }
  .gradio-container .row > .column { flex: 1 1 100% !important; min-width: 100% !important; }
  #sz-top { flex-wrap: wrap; }
  #sz-ask-row { flex-wrap: nowrap !important; }
  #sz-ask-row > * { min-width: 0 !important; }
  .tab-wrapper, [role="tablist"] { flex-wrap: wrap !important; overflow-x: auto; max-width: 100%; }
  .sz-header { flex-wrap: wrap; }
  .sz-header span { font-size: 14px; }
  .sz-kv th { white-space: normal; }
  #sz-doc-table { overflow-x: auto; max-width: 100%; }
}
body.sz-present .gradio-container { max-width: 100% !important; font-size: 26px; }
body.sz-present { --body-text-size: 26px; --text-md: 26px; --text-lg: 28px; --text-sm: 24px; --sz-chat-h: calc(100vh - 330px); }
body.sz-present #sz-chatbot .message-content, body.sz-present #sz-chatbot .prose,
body.sz-present #sz-chatbot .prose * { font-size: 26px !important; line-height: 1.7; }
body.sz-present textarea { font-size: 26px !important; }
body.sz-present #sz-conv-col { display: none; }
body.sz-present .sz-notice, body.sz-present [role="tab"], body.sz-present .sz-header span { font-size: 22px !important; }
body.sz-present .sz-header h1 { font-size: 36px; }
body.sz-present .sz-badge, body.sz-present .sz-copy, body.sz-present .sz-quote-stat { font-size: 20px; }
"""
