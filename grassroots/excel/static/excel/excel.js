// Excel pages: poll an import or export job's status; keep the export form's action in step with
// its choice (the member list is made in the background: a POST that starts a job).
(function () {
  "use strict";

  var job = document.getElementById("excel-job");
  if (job) {
    var url = job.getAttribute("data-status-url");
    var shown = job.getAttribute("data-status");
    var bar = document.getElementById("excel-progress");
    var phase = document.getElementById("excel-phase");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.status !== shown) {
            window.location.reload(); // the server renders the preview or the result
            return;
          }
          if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
          if (phase) { phase.textContent = data.phase || ""; }
          if (data.running) { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    if (["queued", "checking", "importing", "running"].indexOf(shown) >= 0) { window.setTimeout(poll, 500); }
  }

  var form = document.getElementById("excel-export");
  if (form) {
    var what = document.getElementById("id_what");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var sync = function () {
      var job = what.value === "members";
      form.method = job ? "post" : "get";
      form.action = job
        ? what.getAttribute("data-job-url")
        : what.getAttribute("data-url-template").replace("WHAT", what.value);
      if (token) { token.disabled = !job; } // never put the token in a GET address
    };
    what.addEventListener("change", sync);
    sync();
  }
})();
