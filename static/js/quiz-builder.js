// The test builder: its live summary, and removing a section, a draw row or an own question without a page load.
// After a change to the form, post it to the summary endpoint and show the fragment it returns. A remove button
// ("remove_…") posts the form to the page as the button would and swaps in the form the server shows again (not
// saved: the numbering and the last-section rule stay the server's), then puts the focus where the removed part
// was. Without this script the same buttons ("更新汇总", "删除…") do it with a page load.
const form = document.getElementById("quiz-builder");

if (form && form.dataset.summaryUrl) {
  let timer = null;
  let sent = 0;
  const refresh = function () {
    const mine = ++sent;
    fetch(form.dataset.summaryUrl, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                    headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        const target = document.getElementById("builder-summary");
        if (data && target && mine === sent) { target.innerHTML = data.html; }
      })
      .catch(function () { /* the summary stays as it was; saving checks everything again */ });
  };
  const later = function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };
  form.addEventListener("change", later);
  form.addEventListener("input", later);

  // Where the focus goes once a part is gone: the part now in its place (or the one before), else its section.
  const indexIn = function (node, selector, scope) {
    return Array.prototype.indexOf.call(scope.querySelectorAll(selector), node);
  };
  const place = function (button) {
    const section = button.closest(".builder-section");
    const at = {section: indexIn(section, ".builder-section", form), draw: -1, own: -1};
    const draw = button.closest(".builder-draw");
    const own = button.closest(".builder-own li");
    if (draw) { at.draw = indexIn(draw, ".builder-draw", section); }
    if (own) { at.own = indexIn(own, ".builder-own > ol > li", section); }
    return at;
  };
  const nearest = function (list, index) {
    return list.length ? list[Math.min(Math.max(index, 0), list.length - 1)] : null;
  };
  const focusAt = function (at) {
    const section = nearest(form.querySelectorAll(".builder-section"), at.section);
    if (!section) { return; }
    let node = null;
    if (at.draw >= 0) {
      const row = nearest(section.querySelectorAll(".builder-draw"), at.draw);
      node = row && row.querySelector("select, input");
    } else if (at.own >= 0) {
      const item = nearest(section.querySelectorAll(".builder-own > ol > li"), at.own);
      node = item && item.querySelector("button");
    }
    (node || section.querySelector("h3")).focus();
  };

  form.addEventListener("click", function (event) {
    const button = event.target.closest("button[name=action]");
    if (!button || button.value.indexOf("remove_") !== 0) { return; }
    event.preventDefault();
    // The form the server sends back carries its own summary: a summary asked for before it (a change a moment
    // ago, a slow network) must not overwrite it when it arrives later.
    clearTimeout(timer);
    sent += 1;
    const at = place(button);
    const body = new FormData(form);
    body.set("action", button.value);
    const fallback = function () { form.requestSubmit(button); };
    // getAttribute: form.action would be the buttons named "action"
    fetch(form.getAttribute("action"), {method: "POST", body: body, credentials: "same-origin",
                                        headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        const fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("quiz-builder");
        if (!fresh) { fallback(); return; }
        sent += 1;
        form.replaceChildren.apply(form, Array.from(fresh.childNodes));
        focusAt(at);
      })
      .catch(fallback);
  });
}
