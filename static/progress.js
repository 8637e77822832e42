// Follows an upload's processing on the console page: polls the status URL and updates the
// progress bar and its text (announced politely). Without JavaScript the page offers a link.
// Its words come from the page's data-* attributes, in the page's language.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[role=status]");
  var rows = box.querySelector(".rows-done");
  var percent = box.querySelector(".percent");
  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (s.status !== "processing") {
          var label = box.getAttribute("data-label-" + s.status) || s.label;
          text.textContent = box.getAttribute("data-finished").replace("{label}", label);
          var a = document.createElement("a");
          a.href = window.location.pathname;
          a.textContent = box.getAttribute("data-see");
          text.appendChild(a);
          bar.value = bar.max;
          return;
        }
        bar.value = s.progress;
        rows.textContent = s.rows_done.toLocaleString(document.documentElement.lang || "zh-CN");
        percent.textContent = Math.floor(s.progress / 10);
        window.setTimeout(tick, 1500);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1000);
})();
