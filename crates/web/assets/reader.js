// Ambit's reader: turns a mouse selection into the exact character range of the stored
// text, lets the researcher pick codes for it, draws margin stripes, shows and removes
// codings, and undoes the last coding.
//
// Offsets: the DOM counts UTF-16 code units; the store counts Unicode scalar values
// (characters) into the document's text. Every piece of text is a <span class="t"> whose
// data-s is the character offset of its first character, so a point inside a piece is
// data-s plus the number of characters before it (an emoji is two units, one character).
(function () {
  'use strict';
  const dataEl = document.getElementById('reader-data');
  if (!dataEl) return;
  let data = JSON.parse(dataEl.textContent);
  const docEl = document.getElementById('doc');
  const picker = document.getElementById('picker');
  const pickQ = document.getElementById('pick-q');
  const pickList = document.getElementById('pick-list');
  const pickSel = document.getElementById('pick-sel');
  const pickMemo = document.getElementById('pick-memo');
  const codingPop = document.getElementById('coding-pop');
  const statusEl = document.getElementById('status');
  const undoBtn = document.getElementById('undo');
  const RECENT_KEY = 'ambit.recent';
  const UNDO_KEY = 'ambit.undo.' + data.doc;

  let pieces = [];        // every .t span, in document order
  let byCoding = new Map(); // coding id -> its spans
  let pending = null;     // {start, end, text} of the selection being coded
  let shown = [];         // codes listed in the picker
  let active = 0;         // index into shown
  let checked = new Set();
  let onlyCode = null;

  /** Characters (Unicode scalar values) in a UTF-16 string. */
  function chars(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  function pieceStart(p) { return Number(p.dataset.s); }
  function pieceEnd(p) { return pieceStart(p) + chars(p.textContent); }

  /** Index of the first piece that starts at or after the boundary point (node, offset). */
  function firstAfter(node, offset) {
    const r = document.createRange();
    r.setStart(node, offset);
    r.collapse(true);
    let lo = 0, hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const t = pieces[mid].firstChild || pieces[mid];
      if (r.comparePoint(t, 0) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function pieceOf(node) {
    if (node && node.nodeType === 3 && node.parentNode && node.parentNode.classList &&
        node.parentNode.classList.contains('t')) return node.parentNode;
    return null;
  }

  /** The character offset of a selection boundary. A start at the very end of a piece
   *  moves to the next piece and an end at the very start of one to the previous, so a
   *  selection dragged (or triple-clicked) to the edge of a passage takes no text that the
   *  reader does not show. */
  function boundary(node, offset, isEnd) {
    const p = pieceOf(node);
    if (p && !(isEnd && offset === 0) && !(!isEnd && offset === node.data.length)) {
      return pieceStart(p) + chars(node.data.slice(0, offset));
    }
    if (p) {
      const i = pieces.indexOf(p);
      if (isEnd) return i > 0 ? pieceEnd(pieces[i - 1]) : pieceStart(p);
      return i + 1 < pieces.length ? pieceStart(pieces[i + 1]) : pieceEnd(p);
    }
    const i = firstAfter(node, offset);
    if (isEnd) return i > 0 ? pieceEnd(pieces[i - 1]) : null;
    return i < pieces.length ? pieceStart(pieces[i]) : null;
  }

  /** The selection as a character range of the document, or null. */
  function selectedRange() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const r = sel.getRangeAt(0);
    const area = document.getElementById('passages');
    if (!area.contains(r.commonAncestorContainer) && r.commonAncestorContainer !== area) return null;
    const start = boundary(r.startContainer, r.startOffset, false);
    const end = boundary(r.endContainer, r.endOffset, true);
    if (start === null || end === null || start >= end) return null;
    return { start: start, end: end, text: sel.toString(), rect: r.getBoundingClientRect() };
  }

  function codeById(id) { return data.codes.find(function (c) { return c.id === id; }); }

  function recent() {
    try {
      const r = JSON.parse(localStorage.getItem(RECENT_KEY) || '[]');
      return Array.isArray(r) ? r.filter(codeById).slice(0, 5) : [];
    } catch (e) { return []; }
  }

  function remember(ids) {
    const r = ids.concat(recent().filter(function (x) { return ids.indexOf(x) < 0; })).slice(0, 8);
    try { localStorage.setItem(RECENT_KEY, JSON.stringify(r)); } catch (e) { /* private mode */ }
  }

  function place(el, rect) {
    el.hidden = false;
    const w = el.offsetWidth;
    let left = rect.left + window.scrollX;
    left = Math.max(8, Math.min(left, window.scrollX + document.documentElement.clientWidth - w - 12));
    let top = rect.bottom + window.scrollY + 8;
    const h = el.offsetHeight;
    if (rect.bottom + h + 16 > window.innerHeight && rect.top - h - 8 > 60) {
      top = rect.top + window.scrollY - h - 8;
    }
    el.style.left = left + 'px';
    el.style.top = top + 'px';
  }

  // ---- The code picker -------------------------------------------------------------

  function renderList() {
    const q = pickQ.value.trim().toLowerCase();
    const words = q ? q.split(/\s+/) : [];
    const match = function (c) {
      const hay = (c.id + ' ' + c.name).toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    };
    const rec = recent().map(codeById).filter(match);
    const rest = data.codes.filter(function (c) { return match(c) && rec.indexOf(c) < 0; });
    shown = rec.concat(rest);
    active = Math.min(active, Math.max(shown.length - 1, 0));
    pickList.textContent = '';
    shown.forEach(function (c, i) {
      if (i === rec.length && rec.length > 0 && rest.length > 0) {
        const sep = document.createElement('li');
        sep.className = 'sep';
        sep.setAttribute('aria-hidden', 'true');
        pickList.appendChild(sep);
      }
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.dataset.code = c.id;
      li.className = (i === active ? 'act ' : '') + (checked.has(c.id) ? 'chk ' : '') +
        (i < rec.length ? 'recent ' : '') + (words.length ? '' : 'd' + Math.min(c.depth, 3));
      const sw = document.createElement('span');
      sw.className = 'sw k' + c.k;
      const id = document.createElement('span');
      id.className = 'cid';
      id.textContent = c.id;
      const nm = document.createElement('span');
      nm.className = 'nm';
      nm.textContent = c.name;
      li.append(sw, id, nm);
      li.addEventListener('mousedown', function (e) {
        e.preventDefault();
        if (e.ctrlKey || e.metaKey || e.shiftKey) { toggle(c.id); } else { apply([c.id]); }
      });
      pickList.appendChild(li);
      if (i === active) li.scrollIntoView({ block: 'nearest' });
    });
    if (shown.length === 0) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = data.codes.length ? 'No code matches.' : 'The codebook has no codes yet.';
      pickList.appendChild(li);
    }
  }

  function toggle(id) {
    if (checked.has(id)) checked.delete(id); else checked.add(id);
    renderList();
  }

  function openPicker(range) {
    pending = range;
    checked = new Set();
    active = 0;
    pickQ.value = '';
    pickMemo.value = '';
    const t = range.text.replace(/\s+/g, ' ').trim();
    pickSel.textContent = '“' + (t.length > 90 ? t.slice(0, 90) + '…' : t) + '”';
    closePop();
    renderList();
    place(picker, range.rect);
    pickQ.focus({ preventScroll: true });
  }

  function closePicker() {
    picker.hidden = true;
    pending = null;
  }

  pickQ.addEventListener('input', function () { active = 0; renderList(); });
  pickMemo.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') {
      e.preventDefault();
      const ids = checked.size ? Array.from(checked) : (shown[active] ? [shown[active].id] : []);
      if (ids.length) apply(ids);
    } else if (e.key === 'Escape') { e.preventDefault(); closePicker(); }
  });
  pickQ.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown') { e.preventDefault(); active = Math.min(active + 1, shown.length - 1); renderList(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); active = Math.max(active - 1, 0); renderList(); }
    else if (e.key === 'Enter' && e.shiftKey) { e.preventDefault(); if (shown[active]) toggle(shown[active].id); }
    else if (e.key === 'Enter') {
      e.preventDefault();
      const ids = checked.size ? Array.from(checked) : (shown[active] ? [shown[active].id] : []);
      if (ids.length) apply(ids);
    }
    else if (e.key === 'Escape') { e.preventDefault(); closePicker(); }
  });

  function say(text, bad) {
    statusEl.textContent = text;
    statusEl.className = bad ? 'err' : '';
  }

  async function send(method, url, body) {
    const res = await fetch(url, {
      method: method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    });
    if (!res.ok) {
      let msg = res.status + ' ' + res.statusText;
      try { const j = await res.json(); if (j && j.error) msg = j.error; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return res.status === 204 ? null : res.json();
  }

  async function apply(ids) {
    const range = pending;
    const memo = pickMemo.value.trim();
    closePicker();
    if (!range) return;
    const made = [];
    try {
      for (const code of ids) {
        const seg = await send('POST', '/api/codings', {
          doc: data.doc, start: range.start, end: range.end, code: code, coder: data.coder,
          memo: memo || undefined,
        });
        made.push(seg.coding);
      }
      remember(ids);
      pushUndo(made);
      say('Coded ' + ids.join(', ') + ' (' + (range.end - range.start) + ' characters)');
    } catch (e) {
      say(e.message, true);
      if (made.length) pushUndo(made);
    }
    window.getSelection().removeAllRanges();
    await refresh();
  }

  // ---- Undo --------------------------------------------------------------------------

  function undoStack() {
    try { return JSON.parse(sessionStorage.getItem(UNDO_KEY) || '[]'); } catch (e) { return []; }
  }
  function saveUndo(s) {
    try { sessionStorage.setItem(UNDO_KEY, JSON.stringify(s.slice(-50))); } catch (e) { /* ignore */ }
    undoBtn.disabled = s.length === 0;
  }
  function pushUndo(ids) { const s = undoStack(); s.push(ids); saveUndo(s); }

  async function undo() {
    const s = undoStack();
    const last = s.pop();
    saveUndo(s);
    if (!last) return;
    try {
      for (const id of last) await send('DELETE', '/api/codings/' + id);
      say('Undone: removed ' + last.length + ' coding(s)');
    } catch (e) { say(e.message, true); }
    await refresh();
  }
  undoBtn.addEventListener('click', undo);
  document.addEventListener('keydown', function (e) {
    const t = e.target;
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA');
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && !typing) {
      e.preventDefault();
      undo();
    } else if (e.key === 'Escape') {
      closePicker();
      closePop();
    }
  });

  // ---- Codings at a point ------------------------------------------------------------

  function closePop() { codingPop.hidden = true; }

  function codingById(id) { return data.codings.find(function (c) { return c.id === id; }); }

  function showCodings(ids, rect) {
    codingPop.textContent = '';
    ids.map(codingById).filter(Boolean).forEach(function (c) {
      const item = document.createElement('div');
      item.className = 'cp-item';
      item.dataset.id = c.id;
      const head = document.createElement('div');
      head.className = 'cp-head';
      const sw = document.createElement('span');
      sw.className = 'sw' + (c.k === null ? ' none' : ' k' + c.k);
      const cid = document.createElement('a');
      cid.className = 'cid';
      cid.href = '/codes/' + encodeURIComponent(c.code);
      cid.textContent = c.code;
      const nm = document.createElement('span');
      nm.textContent = c.name;
      head.append(sw, cid, nm);
      const meta = document.createElement('div');
      meta.className = 'cp-meta';
      meta.textContent = c.coder + ' · ' + c.origin + ' · ' + (c.passage || data.doc) + ' · ' + c.start + '–' + c.end;
      item.append(head, meta);
      if (c.memo) {
        const memo = document.createElement('div');
        memo.className = 'cp-memo';
        memo.textContent = c.memo;
        item.appendChild(memo);
      }
      const actions = document.createElement('div');
      actions.className = 'cp-actions';
      const rm = document.createElement('button');
      rm.type = 'button';
      rm.className = 'danger';
      rm.textContent = 'Remove';
      rm.addEventListener('click', async function () {
        try { await send('DELETE', '/api/codings/' + c.id); say('Removed coding ' + c.id); }
        catch (e) { say(e.message, true); }
        closePop();
        await refresh();
      });
      const memoBtn = document.createElement('button');
      memoBtn.type = 'button';
      memoBtn.textContent = c.memo ? 'Edit memo' : 'Add memo';
      memoBtn.addEventListener('click', function () {
        const box = document.createElement('div');
        box.className = 'cp-memo-edit';
        const ta = document.createElement('textarea');
        ta.rows = 3;
        ta.value = c.memo || '';
        const save = document.createElement('button');
        save.type = 'button';
        save.textContent = 'Save memo';
        save.addEventListener('click', async function () {
          try {
            await send('PUT', '/api/codings/' + c.id + '/memo', { memo: ta.value });
            say('Memo saved');
            closePop();
            await refresh();
          } catch (e) { say(e.message, true); }
        });
        box.append(ta, save);
        actions.replaceWith(box);
        ta.focus();
      });
      actions.append(rm, memoBtn);
      item.appendChild(actions);
      codingPop.appendChild(item);
    });
    place(codingPop, rect);
  }

  // ---- Highlights and stripes --------------------------------------------------------

  function index() {
    pieces = Array.from(document.querySelectorAll('#passages .t'));
    byCoding = new Map();
    pieces.forEach(function (p) {
      if (!p.dataset.c) return;
      p.dataset.c.split(' ').forEach(function (id) {
        const n = Number(id);
        if (!byCoding.has(n)) byCoding.set(n, []);
        byCoding.get(n).push(p);
      });
    });
  }

  function hot(id, on) {
    (byCoding.get(id) || []).forEach(function (p) { p.classList.toggle('hot', on); });
    document.querySelectorAll('.stripe[data-id="' + id + '"]').forEach(function (s) { s.classList.toggle('hot', on); });
  }

  function stripes() {
    const layer = document.getElementById('stripes');
    if (!layer) return;
    layer.textContent = '';
    const base = layer.getBoundingClientRect().top;
    const laneEnds = [];
    const rows = [];
    data.codings.forEach(function (c) {
      const ps = byCoding.get(c.id);
      if (!ps || !ps.length) return;
      const top = ps[0].getBoundingClientRect().top - base;
      const last = ps[ps.length - 1].getClientRects();
      const bottom = (last.length ? last[last.length - 1].bottom : ps[ps.length - 1].getBoundingClientRect().bottom) - base;
      rows.push({ c: c, top: top, bottom: bottom });
    });
    rows.sort(function (a, b) { return a.top - b.top || b.bottom - a.bottom; });
    const frag = document.createDocumentFragment();
    rows.forEach(function (r) {
      let lane = laneEnds.findIndex(function (end) { return end < r.top - 1; });
      if (lane < 0) { lane = laneEnds.length; laneEnds.push(0); }
      laneEnds[lane] = r.bottom;
      const s = document.createElement('div');
      s.className = 'stripe' + (r.c.k === null ? '' : ' k' + r.c.k) + (onlyCode && r.c.code !== onlyCode ? '' : onlyCode ? ' sel' : '');
      s.dataset.id = r.c.id;
      s.title = r.c.code + ' · ' + r.c.name + ' · ' + r.c.coder;
      // Positions are layout, set through the CSSOM (allowed by the CSP), never markup.
      s.style.top = r.top + 'px';
      s.style.height = Math.max(r.bottom - r.top, 6) + 'px';
      s.style.left = (48 - Math.min(lane, 6) * 7) + 'px';
      s.addEventListener('mouseenter', function () { hot(r.c.id, true); });
      s.addEventListener('mouseleave', function () { hot(r.c.id, false); });
      s.addEventListener('click', function () { showCodings([r.c.id], s.getBoundingClientRect()); });
      frag.appendChild(s);
    });
    layer.appendChild(frag);
  }

  function applyOnly() {
    docEl.classList.toggle('only', !!onlyCode);
    const ids = new Set(data.codings.filter(function (c) { return c.code === onlyCode; }).map(function (c) { return c.id; }));
    pieces.forEach(function (p) {
      p.classList.toggle('sel', !!p.dataset.c && p.dataset.c.split(' ').some(function (i) { return ids.has(Number(i)); }));
    });
    document.querySelectorAll('.filter-code').forEach(function (b) { b.classList.toggle('on', b.dataset.code === onlyCode); });
    stripes();
  }

  function wireSidebar() {
    document.querySelectorAll('.filter-code').forEach(function (b) {
      b.addEventListener('click', function () {
        onlyCode = onlyCode === b.dataset.code ? null : b.dataset.code;
        applyOnly();
      });
    });
  }

  /** Reloads the text and codings from the server, keeping the scroll position. */
  async function refresh() {
    try {
      const res = await fetch(location.pathname, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(res.status + ' ' + res.statusText);
      const page = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = page.getElementById('passages');
      const freshData = page.getElementById('reader-data');
      const freshUsed = page.querySelector('section.used');
      if (!fresh || !freshData) throw new Error('the page came back without the document');
      data = JSON.parse(freshData.textContent);
      document.getElementById('passages').replaceWith(document.importNode(fresh, true));
      const used = document.querySelector('section.used');
      if (used && freshUsed) used.replaceWith(document.importNode(freshUsed, true));
      wire();
    } catch (e) {
      say('Could not reload the document: ' + e.message, true);
    }
  }

  function wire() {
    index();
    wireSidebar();
    applyOnly();
  }

  // ---- Events ------------------------------------------------------------------------

  document.addEventListener('mouseup', function (e) {
    if (picker.contains(e.target) || codingPop.contains(e.target)) return;
    // Let the browser finish the selection first.
    setTimeout(function () {
      const range = selectedRange();
      if (range) { openPicker(range); return; }
      const sel = window.getSelection();
      if (!sel || sel.isCollapsed) {
        const p = e.target.closest && e.target.closest('#passages .t.hl');
        if (p && p.dataset.c) {
          closePicker();
          showCodings(p.dataset.c.split(' ').map(Number), p.getBoundingClientRect());
          return;
        }
        if (!picker.contains(e.target)) closePicker();
        if (!codingPop.contains(e.target)) closePop();
      }
    }, 0);
  });
  document.addEventListener('mouseover', function (e) {
    const p = e.target.closest && e.target.closest('#passages .t.hl');
    if (p) p.dataset.c.split(' ').forEach(function (id) { hot(Number(id), true); });
  });
  document.addEventListener('mouseout', function (e) {
    const p = e.target.closest && e.target.closest('#passages .t.hl');
    if (p) p.dataset.c.split(' ').forEach(function (id) { hot(Number(id), false); });
  });
  let resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(stripes, 150);
  });

  // For tests and power users: code a character range without the mouse, through the
  // same path as a selection.
  window.ambitReader = {
    rangeOfSelection: function () {
      const r = selectedRange();
      return r ? { start: r.start, end: r.end } : null;
    },
    openPickerForSelection: function () {
      const r = selectedRange();
      if (r) openPicker(r);
      return !!r;
    },
  };

  saveUndo(undoStack());
  wire();
  if (location.hash) {
    const target = document.getElementById(location.hash.slice(1));
    if (target) target.classList.add('flash');
  }
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(stripes);
})();
