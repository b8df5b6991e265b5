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

// Screenshots and attachments: picked, pasted or dropped into the body, uploaded at once, and their Markdown put
// where the cursor is. Without this script the file input and the "插入" button do the same through the server.
(function () {
  "use strict";
  var form = document.getElementById("lesson-editor");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-upload-url");
  var body = form.querySelector("textarea[name=body]");
  var picker = form.querySelector("input[type=file][name=media]");
  var status = document.getElementById("media-status");
  if (!url || !body) { return; }
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  // The page's words (translated by the server), so the script carries none of its own.
  function words(key) { return (status && status.getAttribute("data-" + key)) || ""; }

  function say(text, bad) {
    if (!status) { return; }
    status.textContent = text;
    status.className = "media-status" + (bad ? " error" : "");
  }

  function insertAtCursor(text) {
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var before = body.value.slice(0, start);
    var after = body.value.slice(end);
    // On a line of its own, so an image is a paragraph and a link does not glue onto a word.
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var trail = after && !/^\n/.test(after) ? "\n\n" : "\n";
    body.setRangeText(lead + text + trail, start, end, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview shows it
  }

  function upload(file) {
    var data = new FormData();
    // A pasted screenshot has no useful name: give it one the list and the alt text can show.
    var stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
    var name = file.name && file.name !== "image.png" ? file.name : words("screenshot") + "-" + stamp + ".png";
    data.append("file", file, name);
    say(words("uploading") + " " + name + " …", false);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": token } })
      .then(function (response) {
        if (response.status === 413) { return { error: words("too-large") }; }  // refused before the app saw it
        return response.json().catch(function () { return { error: words("offline") + " (" + response.status + ")" }; });
      })
      .then(function (result) {
        if (result.error) { say(result.error, true); return; }
        insertAtCursor(result.markdown);
        say(words("inserted") + " " + result.name, false);
      })
      .catch(function () { say(words("offline"), true); });
  }

  function uploadAll(files) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) { chain = chain.then(function () { return upload(file); }); });
    return chain;
  }

  if (picker) {
    picker.addEventListener("change", function () {
      if (!picker.files.length) { return; }
      uploadAll(picker.files).then(function () { picker.value = ""; });  // not sent again with the save
    });
  }
  body.addEventListener("paste", function (event) {
    var files = event.clipboardData && event.clipboardData.files;
    if (files && files.length) { event.preventDefault(); uploadAll(files); }
  });
  body.addEventListener("dragover", function (event) {
    if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
      event.preventDefault();
    }
  });
  body.addEventListener("drop", function (event) {
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) {
      event.preventDefault();
      body.focus();
      uploadAll(files);
    }
  });
})();
