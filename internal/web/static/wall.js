// Pledge wall: follows the page's Server-Sent Events stream. "stats" (sent
// on every connect) sets the total and the counts per action; "pledges" (a
// batch at most every 250 ms) adds cards to the feed and to the counts.
// Names are visitor input: they are set as text, never as HTML. DOM work is
// done at most once per animation frame, however fast the pledges come.
(function () {
  "use strict";
  var wall = document.getElementById("wall");
  var feed = document.getElementById("wall-feed");
  var totalEl = document.getElementById("wall-total");
  if (!wall || !feed || !totalEl || !window.EventSource) {
    return;
  }
  var MAX_ITEMS = 30;   // as many as the page is rendered with
  var MAX_SEEN = 1000;  // keys remembered to drop repeats
  var lang = document.documentElement.lang || undefined;
  var someone = wall.getAttribute("data-someone") || "";
  var status = document.getElementById("wall-status");

  function fmt(n) {
    try {
      return n.toLocaleString(lang);
    } catch (e) {
      return String(n);
    }
  }
  function parse(el) {
    var n = parseInt(el.textContent.replace(/\D/g, ""), 10);
    return isNaN(n) ? 0 : n;
  }

  // State: the numbers as numbers; the page shows them at the next frame.
  var total = parse(totalEl);
  var countEls = {};
  var counts = {};
  var rows = document.querySelectorAll("#wall-counts li[data-option]");
  for (var i = 0; i < rows.length; i++) {
    var el = rows[i].querySelector(".wall-count");
    if (el) {
      countEls[rows[i].getAttribute("data-option")] = el;
      counts[rows[i].getAttribute("data-option")] = parse(el);
    }
  }
  var seen = {};
  var seenOrder = [];
  function remember(key) {
    seen[key] = true;
    seenOrder.push(key);
    if (seenOrder.length > MAX_SEEN) {
      delete seen[seenOrder.shift()];
    }
  }
  var items = feed.querySelectorAll("li[data-key]");
  for (var j = items.length - 1; j >= 0; j--) {
    remember(items[j].getAttribute("data-key"));
  }

  var pending = [];       // pledges not yet on the page, oldest first
  var numbersDirty = true; // first frame: format the server's plain numbers
  var frame = 0;

  function render() {
    frame = 0;
    if (numbersDirty) {
      numbersDirty = false;
      var t = fmt(total);
      if (totalEl.textContent !== t) {
        totalEl.textContent = t;
      }
      for (var id in countEls) {
        var c = fmt(counts[id] || 0);
        if (countEls[id].textContent !== c) {
          countEls[id].textContent = c;
        }
      }
    }
    if (pending.length) {
      var batch = pending;
      pending = [];
      var frag = document.createDocumentFragment();
      // Newest first, as the feed reads: the last of the batch goes on top.
      for (var k = batch.length - 1; k >= 0; k--) {
        var p = batch[k];
        var li = document.createElement("li");
        li.setAttribute("data-key", p.key);
        li.className = "wall-new";
        var name = document.createElement("span");
        name.className = "wall-name";
        name.textContent = p.name || someone;
        var actions = document.createElement("span");
        actions.className = "wall-actions";
        actions.textContent = p.actions || "";
        li.appendChild(name);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(actions);
        frag.appendChild(li);
      }
      feed.insertBefore(frag, feed.firstChild);
      while (feed.children.length > MAX_ITEMS) {
        feed.removeChild(feed.lastElementChild);
      }
    }
  }
  function schedule() {
    if (!frame) {
      frame = window.requestAnimationFrame(render);
    }
  }

  function setOffline(off) {
    wall.classList.toggle("wall-offline", off);
    // A translated "reconnecting…" text, if the page ever carries one.
    var text = status && status.getAttribute("data-offline");
    if (text) {
      var want = off ? text : "";
      if (status.textContent !== want) {
        status.textContent = want;
      }
    }
  }

  function onStats(e) {
    var data;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (!data || typeof data.total !== "number") {
      return;
    }
    setOffline(false);
    total = data.total;
    var by = data.by_option || {};
    for (var id in countEls) {
      counts[id] = typeof by[id] === "number" ? by[id] : 0;
    }
    numbersDirty = true;
    schedule();
  }

  // "recent" (sent on every connect, after "stats") fills the feed with the
  // latest pledges, so one made while the page loaded is not missed; the
  // counts already hold them. "pledges" are new ones: they count.
  function onRecent(e) {
    addPledges(e, false);
  }
  function onPledges(e) {
    addPledges(e, true);
  }
  function addPledges(e, count) {
    var list;
    try {
      list = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (!Array.isArray(list)) {
      return;
    }
    for (var i = 0; i < list.length; i++) {
      var p = list[i];
      if (!p || typeof p.key !== "string" || !p.key || seen[p.key]) {
        continue;
      }
      remember(p.key);
      if (count) {
        total += 1;
        var opts = Array.isArray(p.options) ? p.options : [];
        for (var o = 0; o < opts.length; o++) {
          if (Object.prototype.hasOwnProperty.call(countEls, opts[o])) {
            counts[opts[o]] = (counts[opts[o]] || 0) + 1;
          }
        }
      }
      pending.push({ key: p.key, name: typeof p.name === "string" ? p.name : "", actions: typeof p.actions === "string" ? p.actions : "" });
    }
    // A hidden tab gets no frames: keep only what the feed can show.
    if (pending.length > MAX_ITEMS) {
      pending = pending.slice(pending.length - MAX_ITEMS);
    }
    numbersDirty = true;
    schedule();
  }

  // EventSource retries by itself while CONNECTING; when it gives up
  // (CLOSED: the server answered with an error, say) a wall on a screen at
  // an event must not stay frozen, so start again, less and less often.
  var source = null;
  var retryDelay = 5000;
  var retryTimer = 0;
  function connect() {
    retryTimer = 0;
    source = new EventSource(wall.getAttribute("data-stream"));
    source.addEventListener("open", function () {
      retryDelay = 5000;
      setOffline(false);
    });
    source.addEventListener("error", function () {
      setOffline(true);
      if (source.readyState === EventSource.CLOSED && !retryTimer) {
        source.close();
        retryTimer = window.setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 60000);
      }
    });
    source.addEventListener("stats", onStats);
    source.addEventListener("recent", onRecent);
    source.addEventListener("pledges", onPledges);
  }
  window.addEventListener("pagehide", function () {
    window.clearTimeout(retryTimer);
    retryTimer = 0;
    if (source) {
      source.close();
    }
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) { // back from the bfcache: the stream was closed
      connect();
    }
  });
  schedule();
  connect();
})();
