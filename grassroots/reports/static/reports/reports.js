// Report job page: poll the job's status until it is made, then reload to offer the download.
(function () {
  "use strict";
  var job = document.getElementById("report-job");
  if (!job) { return; }
  var url = job.getAttribute("data-status-url");
  var shown = job.getAttribute("data-status");
  var bar = document.getElementById("report-progress");
  var poll = function () {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.status !== shown) { window.location.reload(); return; }
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
        if (data.running) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  };
  if (shown === "queued" || shown === "running") { window.setTimeout(poll, 500); }
})();
