// Ambit: small helpers on every page. "/" focuses the search box; the coder name is saved
// when it changes.
(function () {
  'use strict';
  document.addEventListener('keydown', function (e) {
    const t = e.target;
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const q = document.querySelector('.qbox input');
      if (q) { e.preventDefault(); q.focus(); }
    }
  });
  const coder = document.querySelector('form.coder input');
  if (coder) {
    coder.addEventListener('change', function () { coder.form.submit(); });
  }
})();
