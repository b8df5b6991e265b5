// Live preview for the lesson editor: the server renders and sanitizes (the same code a saved revision goes
// through), so what the trainer sees is what managers will read. Debounced so typing does not flood the server.
(function () {
  "use strict";
  var form = document.getElementById("lesson-editor");
  var target = document.getElementById("lesson-preview");
  if (!form || !target || !window.fetch) { return; }
  var body = form.querySelector("textarea[name=body]");
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var sequence = 0;

  function refresh() {
    var mine = ++sequence;
    var data = new FormData();
    data.append("body", body.value);
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": token } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        // The HTML is sanitized server-side by the allow-list renderer; only the newest answer is shown.
        if (result && mine === sequence) { target.innerHTML = result.html; }
      })
      .catch(function () { /* offline: the "预览" button still works */ });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
