// Keeps an emergency event page current: listens to the page's Server-Sent Events. Each
// `update` event carries the new update as JSON (the API's shape). An update without figures is
// added to the timeline from that data; one with figures changes the charts too, so the page's
// live part (figures, charts, timeline) is fetched again and swapped in. Without JavaScript the
// page is complete and current on reload.
//
// Every update is announced in the page's live region (`#live-status`, role="status"): screen
// readers read its text. In elder-friendly mode (`body.elder`) nothing on the page moves by
// itself: the update is only announced, with a link that shows it when the reader chooses.
//
// What it says comes from the live region's data-* attributes, which the page writes in its own
// language (%time% and %text% stand for the time and the update's text).
(function () {
  "use strict";
  var root = document.getElementById("live-root");
  if (!root || !window.EventSource) return;
  var status = document.getElementById("live-status");
  var still = document.body.classList.contains("elder");
  var source = new EventSource(root.getAttribute("data-live"));
  var latest = null;
  function say(name) {
    return (status && status.getAttribute("data-" + name)) || "";
  }
  function received() {
    if (!status) return;
    var time = new Date().toLocaleTimeString(say("locale") || undefined);
    status.textContent = say("received").replace("%time%", function () { return time; }) +
      (latest && latest.text ? say("received-text").replace("%text%", function () { return latest.text; })
        : say("received-end"));
    if (still) {
      status.appendChild(document.createTextNode(" "));
      var show = document.createElement("a");
      show.href = window.location.pathname;
      show.textContent = say("show");
      status.appendChild(show);
    }
  }
  function refresh() {
    fetch(window.location.pathname, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-root");
        if (!fresh) return;
        root.innerHTML = fresh.innerHTML;
        received();
      });
  }
  // Beijing time, as the page prints it: 2026-12-07 18:00.
  function beijing(iso) {
    var t = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return t.getUTCFullYear() + "-" + two(t.getUTCMonth() + 1) + "-" + two(t.getUTCDate()) +
      " " + two(t.getUTCHours()) + ":" + two(t.getUTCMinutes());
  }
  function element(name, text, cls) {
    var e = document.createElement(name);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  // Adds an update to the top of the timeline; false when the page must be fetched instead.
  function add(u) {
    var timeline = root.querySelector("ol.timeline");
    if (!timeline || !u || typeof u.id !== "number") return false;
    if ((u.indicators && u.indicators.length) || (u.attachments && u.attachments.length)) return false;
    if (document.getElementById("update-" + u.id)) return true;
    var li = element("li");
    li.id = "update-" + u.id;
    var meta = element("p", null, "event-meta");
    var time = element("time", beijing(u.at));
    time.setAttribute("datetime", u.at);
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(element("p", u.text));
    timeline.insertBefore(li, timeline.firstChild);
    received();
    return true;
  }
  source.addEventListener("update", function (e) {
    var u = null;
    try { u = JSON.parse(e.data); } catch (err) { u = null; }
    latest = u;
    if (still) { received(); return; }
    if (!add(u)) refresh();
  });
  source.addEventListener("open", function () {
    if (status) {
      status.textContent = say(still ? "connected-still" : "connected");
    }
  });
})();
