// The live projector page: cards appear and update without a reload.
// Server-Sent Events when the browser and the path allow it, plain polling otherwise.
// Trainee text only ever goes through textContent (never innerHTML).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("live-data").textContent);
  var W = D.w, cards = {}, pinned = null, seq = 0, es = null, pollTimer = null, failures = 0;
  var params = new URLSearchParams(location.search);
  var forcePoll = params.get("poll") === "1";
  var root = D.base + "live/" + encodeURIComponent(D.id);

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function query(extra) {
    var q = new URLSearchParams({lang: D.lang, names: D.names ? "1" : "0", _xsrf: D.xsrf});
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return q.toString();
  }
  function setConn(key, mode) {
    $("conn").textContent = W[key];
    document.body.dataset.mode = mode;
  }
  function showError(text) {
    var e = $("error");
    e.textContent = text || "";
    e.hidden = !text;
  }

  function lines(items) {
    if (!items || !items.length) { return el("p", "missing", W.missing); }
    var dl = el("dl", "lines");
    items.forEach(function (it) {
      if (it.label) { dl.appendChild(el("dt", "", it.label)); }
      dl.appendChild(el("dd", "", it.text));
    });
    return dl;
  }
  function button(text, act, key) {
    var b = el("button", "control", text);
    b.type = "button";
    b.addEventListener("click", function () { control(act, key); });
    return b;
  }
  function cardEl(c) {
    var a = el("article", "card" + (c.key === pinned ? " pinned" : ""));
    a.dataset.key = c.key;
    var h = el("header");
    h.appendChild(el("span", "label", c.label));
    if (D.names && c.name) { h.appendChild(el("span", "name", c.name)); }
    if (c.key === pinned) { h.appendChild(el("span", "pin-mark", "📌 " + W.pinned)); }
    a.appendChild(h);
    if (c.pre !== undefined) {
      var pair = el("div", "pair");
      [[W.pre, c.pre], [W.post, c.post]].forEach(function (side) {
        var s = el("section");
        s.appendChild(el("h3", "", side[0]));
        s.appendChild(lines(side[1]));
        pair.appendChild(s);
      });
      a.appendChild(pair);
    } else {
      a.appendChild(lines(c.lines));
    }
    var f = el("footer", "controls");
    if (c.hidden) {
      f.appendChild(button(W.unhide, "unhide", c.key));
    } else {
      f.appendChild(button(c.key === pinned ? W.unpin : W.pin, c.key === pinned ? "unpin" : "pin", c.key));
      f.appendChild(button(W.hide, "hide", c.key));
    }
    a.appendChild(f);
    return a;
  }

  function render() {
    var keys = Object.keys(cards).map(Number).sort(function (x, y) { return x - y; });
    var top = [], grid = [], hidden = [];
    keys.forEach(function (k) {
      var c = cards[k];
      (c.hidden ? hidden : (k === pinned ? top : grid)).push(cardEl(c));
    });
    $("pinned").replaceChildren.apply($("pinned"), top);
    $("cards").replaceChildren.apply($("cards"), grid);
    $("hidden-cards").replaceChildren.apply($("hidden-cards"), hidden);
    $("hidden-count").textContent = hidden.length;
    $("waiting").hidden = keys.length - hidden.length > 0;
  }

  var chartTimer = null, chartSeq = -1;
  function refreshCharts() {
    if (!D.charts || chartTimer || chartSeq === seq) { return; }
    chartTimer = setTimeout(function () {
      chartTimer = null;
      chartSeq = seq;
      ["matrix", "delivery"].forEach(function (which) {
        $("chart-" + which).src = root + "/" + which + ".png?" + query({v: seq});
      });
    }, 1500);
  }

  function counts(d) {
    if (d.answered !== undefined) { $("answered").textContent = d.answered; }
    if (d.logged_in !== undefined) { $("logged-in").textContent = d.logged_in === null ? "—" : d.logged_in; }
  }
  function apply(snap) {
    (snap.cards || []).forEach(function (c) { cards[c.key] = c; });
    pinned = snap.pinned === undefined ? pinned : snap.pinned;
    if (snap.seq > seq || (snap.cards || []).length) { seq = Math.max(seq, snap.seq); render(); refreshCharts(); }
    counts(snap);
    document.body.dataset.seq = seq;
  }

  function stopAll() {
    if (es) { es.close(); es = null; }
    if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; }
  }
  function poll() {
    setConn("polling", "poll");
    fetch(root + ".json?" + query({since: seq}), {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (snap) { apply(snap); setConn("polling", "poll"); })
      .catch(function () { setConn("reconnecting", "poll"); })
      .then(function () { pollTimer = setTimeout(poll, 1500); });
  }
  function stream() {
    if (forcePoll || !window.EventSource || failures >= 3) { poll(); return; }
    es = new EventSource(root + "/events?" + query({since: seq}));
    es.addEventListener("snapshot", function (ev) { failures = 0; setConn("stream", "stream"); apply(JSON.parse(ev.data)); });
    es.addEventListener("counts", function (ev) { counts(JSON.parse(ev.data)); });
    es.onerror = function () {
      setConn("reconnecting", "stream");
      if (es && es.readyState === EventSource.CLOSED) {  // refused (e.g. a 502 while the service restarts)
        failures += 1;
        stopAll();
        setTimeout(stream, 2000);
      }
    };
  }
  function restart() { stopAll(); stream(); }

  function control(act, key) {
    var path = (act === "hide" || act === "unhide") ? "/hide" : "/pin";
    var body = act === "hide" ? {key: key, hidden: true} : act === "unhide" ? {key: key, hidden: false}
      : act === "pin" ? {key: key} : {key: null};
    fetch(root + path + "?" + query(), {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-XSRFToken": D.xsrf}, body: JSON.stringify(body)})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } showError(""); if (forcePoll || !es) { restart(); } })
      .catch(function () { showError(W.action_failed); });
  }

  function setNames(on) {
    D.names = on;
    document.body.classList.toggle("names-on", on);
    $("names-state").textContent = on ? W.names_shown : W.names_hidden;
    $("names-toggle").textContent = on ? W.hide_names : W.show_names;
    params.set("names", on ? "1" : "0");
    history.replaceState(null, "", "?" + params.toString());
    cards = {}; seq = 0; chartSeq = -1;
    render();
    restart();
  }
  $("names-toggle").addEventListener("click", function (ev) { ev.preventDefault(); setNames(!D.names); });

  apply(D.snap);
  stream();
})();
