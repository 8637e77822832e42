// Keeps an emergency event page current: listens to the page's Server-Sent Events and, on each
// new update, fetches the page again and swaps in the live part (figures, charts, timeline).
// Without JavaScript the page is complete and current on reload.
(function () {
  "use strict";
  var root = document.getElementById("live-root");
  if (!root || !window.EventSource) return;
  var status = document.getElementById("live-status");
  var source = new EventSource(root.getAttribute("data-live"));
  function refresh() {
    fetch(window.location.pathname, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-root");
        if (!fresh) return;
        root.innerHTML = fresh.innerHTML;
        if (status) {
          status.textContent = "已收到新的更新（" + new Date().toLocaleTimeString("zh-CN") + "）";
        }
      });
  }
  source.addEventListener("update", refresh);
  source.addEventListener("open", function () {
    if (status) status.textContent = "实时更新已连接：新数据发布后会自动显示。";
  });
})();
