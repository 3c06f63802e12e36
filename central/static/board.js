/* The live board: applies the server's Server-Sent Events to the rows, filters and sorts them,
   says when the board is stale, reconnects by itself and, on a wall screen, cycles through the
   work centres. No build step; served by central itself (the page's CSP allows only that). */
(function () {
  'use strict';
  var root = document.getElementById('board');
  if (!root || !window.EventSource) { return; }
  var STALE_MS = 12000;  // the server pings every 5 s: twice that and more without a word is stale
  var streamUrl = root.getAttribute('data-stream');
  var version = root.getAttribute('data-version') || '';
  var statusEl = document.getElementById('board-status');
  var updatedEl = document.getElementById('board-updated');
  var countsEl = document.getElementById('board-counts');
  var form = document.getElementById('board-filters');
  var emptyEl = document.getElementById('wo-empty');
  var source = null, lastHeard = 0, lastUpdate = new Date(), backoff = 1000, retryTimer = null;
  var signedOut = false, serverOk = true, shownState = '', clockSkew = 0;
  var cycleSeconds = parseInt(root.getAttribute('data-cycle') || '0', 10);
  var centres = [], centreIndex = -1;
  try { centres = JSON.parse(root.getAttribute('data-centres') || '[]'); } catch (e) { centres = []; }

  function bodies() {
    return {wo: document.getElementById('wo-rows'), machine: document.getElementById('machine-rows'),
            station: document.getElementById('station-rows')};
  }

  function upsert(row) {
    var body = bodies()[row.table];
    if (!body) { return; }
    var tpl = document.createElement('template');
    tpl.innerHTML = row.html.trim();
    var fresh = tpl.content.firstElementChild;
    var old = document.getElementById(row.id);
    if (old) { old.replaceWith(fresh); } else { body.appendChild(fresh); }
  }

  function apply(message, reset) {
    if (reset) {
      var keep = {};
      message.rows.forEach(function (r) { keep[r.id] = true; });
      var b = bodies();
      Object.keys(b).forEach(function (k) {
        if (!b[k]) { return; }
        Array.prototype.slice.call(b[k].children).forEach(function (tr) { if (!keep[tr.id]) { tr.remove(); } });
      });
    }
    message.rows.forEach(upsert);
    (message.gone || []).forEach(function (id) { var el = document.getElementById(id); if (el) { el.remove(); } });
    if (message.counts && countsEl) { countsEl.innerHTML = message.counts; }
    version = message.v;
    lastUpdate = new Date();
    refilter();
    tickDurations();
  }

  function filters() {
    var f = {work_centre: '', state: '', late: false, sort: 'risk'};
    if (form) {
      f.work_centre = form.elements.work_centre.value;
      f.state = form.elements.state.value;
      f.late = form.elements.late.checked;
      f.sort = form.elements.sort.value;
    }
    if (cycleSeconds && centreIndex >= 0 && centres.length) { f.work_centre = centres[centreIndex]; }
    return f;
  }

  function key(tr, sort) {
    var due = tr.getAttribute('data-due'), prio = +tr.getAttribute('data-priority'), num = tr.getAttribute('data-number');
    if (sort === 'due') { return [due, prio, num]; }
    return [+tr.getAttribute('data-rank'), +tr.getAttribute('data-slack'), due, prio, num];
  }

  function compare(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) { return -1; }
      if (a[i] > b[i]) { return 1; }
    }
    return 0;
  }

  function refilter() {
    var f = filters(), b = bodies(), visible = 0;
    if (b.wo) {
      var rows = Array.prototype.slice.call(b.wo.children);
      rows.forEach(function (tr) {
        var ok = (!f.work_centre || tr.getAttribute('data-wc') === f.work_centre) &&
                 (!f.state || tr.getAttribute('data-state') === f.state) &&
                 (!f.late || tr.getAttribute('data-risk') === 'late');
        tr.classList.toggle('hidden', !ok);
        if (ok) { visible++; }
      });
      rows.sort(function (x, y) { return compare(key(x, f.sort), key(y, f.sort)); });
      rows.forEach(function (tr) { b.wo.appendChild(tr); });
    }
    ['machine', 'station'].forEach(function (k) {
      if (!b[k]) { return; }
      Array.prototype.slice.call(b[k].children).forEach(function (tr) {
        tr.classList.toggle('hidden', !!f.work_centre && tr.getAttribute('data-wc') !== f.work_centre);
      });
    });
    if (emptyEl) { emptyEl.hidden = visible > 0; }
  }

  function tickDurations() {
    var now = Date.now() + clockSkew;
    Array.prototype.forEach.call(document.querySelectorAll('[data-since]'), function (el) {
      var since = Date.parse(el.getAttribute('data-since'));
      if (!isNaN(since)) { el.textContent = Math.max(0, Math.floor((now - since) / 60000)) + ' min'; }
    });
  }

  function time(d) { return d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'}); }

  function showStatus() {
    // The live region changes only when the state does; the time of the last update sits beside it.
    var stale = !source || source.readyState !== 1 || Date.now() - lastHeard > STALE_MS || !serverOk;
    var text, cls;
    if (signedOut) {
      text = 'Stale: signed out. Sign in again to see live updates.';
      cls = 'stale';
    } else if (stale) {
      text = 'Stale: no update since ' + time(lastUpdate) + (serverOk ? '; reconnecting…' : '; central cannot read its database');
      cls = 'stale';
    } else {
      text = 'Live';
      cls = 'live';
    }
    if (statusEl && cls + text !== shownState) {
      statusEl.textContent = text;
      statusEl.className = cls;
      root.setAttribute('data-live', cls === 'live' ? 'yes' : 'no');
      shownState = cls + text;
    }
    if (updatedEl) { updatedEl.textContent = cls === 'live' ? 'updated ' + time(lastUpdate) : ''; }
  }

  function connect() {
    retryTimer = null;
    if (source) { source.close(); }
    source = new EventSource(streamUrl + '?since=' + encodeURIComponent(version));
    source.onopen = function () { lastHeard = Date.now(); backoff = 1000; signedOut = false; showStatus(); };
    source.addEventListener('patch', function (e) { lastHeard = Date.now(); apply(JSON.parse(e.data), false); showStatus(); });
    source.addEventListener('reset', function (e) { lastHeard = Date.now(); apply(JSON.parse(e.data), true); showStatus(); });
    source.addEventListener('ping', function (e) {
      lastHeard = Date.now();
      var data = JSON.parse(e.data);
      serverOk = data.ok !== false;
      var at = Date.parse(data.at);
      if (!isNaN(at)) { clockSkew = at - Date.now(); }
      if (serverOk && data.v === version) { lastUpdate = new Date(); }
      showStatus();
    });
    source.onerror = function () {
      showStatus();
      if (source.readyState === 2) { reconnectLater(); }  // closed for good: an answer that was not a stream
    };
  }

  function reconnectLater() {
    if (retryTimer) { return; }
    if (source) { source.close(); }
    retryTimer = setTimeout(function () {
      // A refused stream may mean the login ended: the page itself then redirects to the login.
      fetch(window.location.pathname, {credentials: 'same-origin', redirect: 'manual'}).then(function (r) {
        signedOut = r.type === 'opaqueredirect' || r.status === 401;
        if (signedOut) { showStatus(); retryTimer = null; backoff = Math.min(backoff * 2, 30000); reconnectLater(); return; }
        connect();
      }).catch(function () { retryTimer = null; reconnectLater(); });
    }, backoff);
    backoff = Math.min(backoff * 2, 10000);
  }

  function cycle() {
    if (!centres.length) { return; }
    centreIndex = (centreIndex + 1) % centres.length;
    var name = document.getElementById('wall-centre'), pos = document.getElementById('wall-position');
    if (name) { name.textContent = 'Work centre ' + centres[centreIndex]; }
    if (pos) { pos.textContent = '(' + (centreIndex + 1) + ' of ' + centres.length + ')'; }
    refilter();
  }

  if (form) {
    form.addEventListener('change', function () {
      refilter();
      var params = new URLSearchParams(new FormData(form));
      ['work_centre', 'state'].forEach(function (k) { if (!params.get(k)) { params.delete(k); } });
      if (params.get('sort') === 'risk') { params.delete('sort'); }
      history.replaceState(null, '', window.location.pathname + (params.toString() ? '?' + params : ''));
    });
  }
  if (cycleSeconds > 0 && centres.length > 1) {
    cycle();
    setInterval(cycle, cycleSeconds * 1000);
  } else if (cycleSeconds > 0 && centres.length === 1) {
    cycle();
  }
  refilter();
  connect();
  setInterval(showStatus, 1000);
  setInterval(tickDurations, 20000);
}());
