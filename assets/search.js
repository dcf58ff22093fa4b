/* Search box of every page: live results as the reader types, run by search-worker.js.
 * On the search page (#search-app) it drives the full results list, filters and ?q= URL;
 * elsewhere it shows the first few results under the header box. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !window.Worker || !window.fetch) return;
  var src = script.src;
  var root = src.slice(0, src.lastIndexOf('/assets/') + 1);
  function assetUrl(attr, fallback) {
    var v = script.getAttribute(attr);
    return v ? new URL(v, document.baseURI).href : root + fallback;
  }
  var workerUrl = assetUrl('data-worker', 'assets/search-worker.js');
  var lunrUrl = assetUrl('data-lunr', 'assets/vendor/lunr.min.js');
  var DEBOUNCE_MS = 40;
  var POPUP_SIZE = 6;
  var FILTERS = ['county', 'year', 'section', 'person'];

  var worker = null, seq = 0, handlers = {};
  /** Start the worker and let it load lunr and the index summary before the first query. */
  function warm() {
    if (worker) return;
    worker = new Worker(workerUrl);
    worker.postMessage({ init: { root: root, lunr: lunrUrl } });
    worker.postMessage({ warm: true });
    worker.onmessage = function (e) {
      var h = handlers[e.data.id];
      if (e.data.final !== false) delete handlers[e.data.id];
      if (h) h(e.data);
    };
  }
  function search(q, filters, page, done) {
    warm();
    var id = ++seq;
    handlers[id] = done;
    worker.postMessage({ id: id, q: q, filters: filters, page: page });
    return id;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  /** Append text to a node with <mark> around the given [start, end) ranges. */
  function appendMarked(node, text, marks) {
    var at = 0;
    (marks || []).forEach(function (m) {
      if (m[0] > at) node.appendChild(document.createTextNode(text.slice(at, m[0])));
      node.appendChild(el('mark', '', text.slice(m[0], m[1])));
      at = m[1];
    });
    if (at < text.length) node.appendChild(document.createTextNode(text.slice(at)));
  }

  function formatDate(iso) {
    var p = iso.split('-');
    return Number(p[0]) + '年' + Number(p[1]) + '月' + Number(p[2]) + '日';
  }

  function renderItem(item, withExcerpt) {
    var li = el('li', 'search-result');
    var h = el(withExcerpt ? 'h2' : 'p', 'search-result-title');
    var a = el('a');
    a.href = root + item.url;
    appendMarked(a, item.title.text, item.title.marks);
    h.appendChild(a);
    li.appendChild(h);
    var meta = el('p', 'search-result-meta');
    var time = el('time', '', formatDate(item.date));
    time.setAttribute('datetime', item.date);
    meta.appendChild(time);
    if (item.counties.length) meta.appendChild(document.createTextNode(' · ' + item.counties.join('、')));
    li.appendChild(meta);
    var ex = el('p', 'search-result-excerpt');
    appendMarked(ex, (item.excerpt.before ? '…' : '') + item.excerpt.text + (item.excerpt.after ? '…' : ''),
      item.excerpt.marks.map(function (m) { var o = item.excerpt.before ? 1 : 0; return [m[0] + o, m[1] + o]; }));
    if (withExcerpt) li.appendChild(ex);
    return li;
  }

  function statusText(q, r) {
    if (r.error) return '搜索出错：' + r.error;
    if (!r.total) return '没有找到包含“' + q + '”的报道。';
    return '找到 ' + r.total + ' 篇报道' + (r.partial ? '（候选过多，只核对了一部分）' : '') + '。';
  }

  function debounce(fn) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, DEBOUNCE_MS); };
  }

  /** The search page: live results, filters, more results, and the query in the URL. */
  function searchPage(app) {
    var form = app.querySelector('form');
    var input = app.querySelector('input[name="q"]');
    var status = app.querySelector('#search-status');
    var list = app.querySelector('#search-results');
    var more = app.querySelector('#search-more');
    var selects = {};
    FILTERS.forEach(function (f) { selects[f] = app.querySelector('[name="' + f + '"]'); });
    var current = null, page = 0;

    function filters() {
      var out = {};
      FILTERS.forEach(function (f) { if (selects[f] && selects[f].value) out[f] = selects[f].value; });
      return out;
    }
    function updateUrl(q, f) {
      var params = new URLSearchParams();
      if (q) params.set('q', q);
      Object.keys(f).forEach(function (k) { params.set(k, f[k]); });
      var s = params.toString();
      history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
    }
    function run() {
      var q = input.value.trim(), f = filters();
      updateUrl(q, f);
      page = 0;
      if (!q) {
        current = null;
        list.textContent = '';
        status.textContent = '';
        more.hidden = true;
        app.removeAttribute('data-state');
        return;
      }
      app.setAttribute('data-state', 'searching');
      current = search(q, f, 0, function (r) {
        if (r.id !== current) return;
        list.textContent = '';
        (r.items || []).forEach(function (item) { list.appendChild(renderItem(item, true)); });
        status.textContent = statusText(q, r);
        more.hidden = !(r.total > (r.page + 1) * r.pageSize);
        app.setAttribute('data-state', 'done');
      });
    }
    var later = debounce(run);
    warm();
    // While an input method is composing, the box holds pinyin: wait for the characters.
    input.addEventListener('input', function (e) { if (!e.isComposing) later(); });
    input.addEventListener('compositionend', later);
    FILTERS.forEach(function (f) { if (selects[f]) selects[f].addEventListener('change', run); });
    form.addEventListener('submit', function (e) { e.preventDefault(); run(); });
    more.addEventListener('click', function () {
      var q = input.value.trim(), f = filters(), first = list.children.length;
      page += 1;
      current = search(q, f, page, function (r) {
        if (r.id !== current) return;
        (r.items || []).forEach(function (item) { list.appendChild(renderItem(item, true)); });
        more.hidden = !(r.total > (r.page + 1) * r.pageSize);
        var next = list.children[first] && list.children[first].querySelector('a');
        if (next) next.focus();
      });
    });
    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    FILTERS.forEach(function (f) { if (selects[f] && params.get(f)) selects[f].value = params.get(f); });
    if (input.value) run();
  }

  /** Any other page: the first few results under the header search box. */
  function headerPopup(form) {
    var input = form.querySelector('input[name="q"]');
    if (!input) return;
    var style = el('style');
    style.textContent = '.search-popup{position:absolute;z-index:10;background:#fff;color:#222;border:1px solid #999;' +
      'padding:.5rem 1rem;max-width:32rem;box-shadow:0 4px 12px rgba(0,0,0,.2)}' +
      '.search-popup ol{margin:0;padding-left:1.2rem}.search-popup .search-result-meta{margin:0 0 .4rem;font-size:.85em}' +
      '.search-popup .search-result-title{margin:.3rem 0 0}.search-popup mark{background:#ffe08a;color:inherit}';
    document.head.appendChild(style);
    var box = el('div', 'search-popup');
    box.hidden = true;
    box.id = 'search-popup';
    var status = el('p', 'search-popup-status');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    var list = el('ol');
    var all = el('a', 'search-popup-all', '查看全部结果');
    box.appendChild(status);
    box.appendChild(list);
    box.appendChild(all);
    form.parentNode.insertBefore(box, form.nextSibling);
    input.setAttribute('aria-controls', 'search-popup');
    var current = null;
    var later = debounce(function () {
      var q = input.value.trim();
      if (!q) { box.hidden = true; current = null; return; }
      current = search(q, {}, 0, function (r) {
        if (r.id !== current) return;
        list.textContent = '';
        (r.items || []).slice(0, POPUP_SIZE).forEach(function (item) { list.appendChild(renderItem(item, false)); });
        status.textContent = statusText(q, r);
        all.href = form.getAttribute('action') + '?q=' + encodeURIComponent(q);
        all.hidden = !r.total;
        box.hidden = false;
      });
    });
    input.addEventListener('input', function (e) { if (!e.isComposing) later(); });
    input.addEventListener('compositionend', later);
    input.addEventListener('focus', warm);
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { box.hidden = true; }
      if (e.key === 'ArrowDown' && !box.hidden) {
        var first = list.querySelector('a');
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    box.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { box.hidden = true; input.focus(); }
    });
  }

  function start() {
    var app = document.getElementById('search-app');
    if (app) {
      searchPage(app);
      return;
    }
    var form = document.querySelector('form.site-search');
    if (form) headerPopup(form);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
