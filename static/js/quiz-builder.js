// The test builder's live summary: after a change to the form, post it to the summary endpoint and show the
// fragment it returns. Without this script the "更新汇总" button does the same with a page load.
const form = document.getElementById("quiz-builder");
const target = document.getElementById("builder-summary");

if (form && target && form.dataset.summaryUrl) {
  let timer = null;
  let sent = 0;
  const refresh = function () {
    const mine = ++sent;
    fetch(form.dataset.summaryUrl, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                    headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && mine === sent) { target.innerHTML = data.html; }
      })
      .catch(function () { /* the summary stays as it was; saving checks everything again */ });
  };
  const later = function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };
  form.addEventListener("change", later);
  form.addEventListener("input", later);
}
