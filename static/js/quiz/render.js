/* Drawing the player: the page's words (from the template's data-msg-* attributes), the questions with their inputs,
 * the progress and save status, and the finished state. */

/** msg("pending", {n: 3}): the template's data-msg-pending with {n} filled in (the key itself when missing). */
export function messages(dataset) {
  return function msg(key, values) {
    let text = dataset["msg" + key.charAt(0).toUpperCase() + key.slice(1)] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  };
}

// A number as people write it: 80 (not 80.0), 92.5, 6.67.
export function number(value) { return String(Math.round(value * 100) / 100); }

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) { node.className = cls; }
  if (text !== undefined) { node.textContent = text; }
  return node;
}

/** One fieldset per question into ``form``, showing ``answers``; ``change(qid, body)`` is told of every change. */
export function renderQuestions(form, questions, answers, d, msg, change) {
  form.textContent = "";
  questions.forEach(function (q, index) {
    const box = el("fieldset", "quiz-q card");
    box.id = "q-" + q.id;
    box.dataset.qid = q.id;
    const legend = el("legend", "quiz-q-head");
    legend.appendChild(el("span", "quiz-q-number", (index + 1) + "."));
    legend.appendChild(el("span", "tag", d["label" + q.type.charAt(0).toUpperCase() + q.type.slice(1)] || q.type));
    // The question's share of the test's max score (5 of 100), not the file's raw points.
    const points = typeof q.scaled_points === "number" ? q.scaled_points : q.points;
    legend.appendChild(el("span", "muted", msg("points", {n: number(points)})));
    box.appendChild(legend);
    const stem = el("div", "quiz-stem");
    stem.innerHTML = q.stem_html;  // sanitized by the server (nh3 allow-list)
    box.appendChild(stem);
    const current = answers[q.id] || {};
    const takes = q.answer || (q.type === "fill" ? "text" : q.type === "multiple" ? "choices" : "choice");
    if (takes === "text") {
      const input = el("input", "quiz-fill");
      input.type = "text";
      input.name = q.id;
      input.autocomplete = "off";
      // A number: the phone shows its number pad; full-width digits and a decimal comma are accepted anyway.
      if (q.type === "numeric") { input.inputMode = "decimal"; }
      input.placeholder = q.type === "numeric" ? d.labelNumericPlaceholder : d.labelFillPlaceholder;
      input.setAttribute("aria-label", (index + 1) + ". " + stem.textContent);
      input.value = current.text || "";
      let timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { change(q.id, {text: input.value}); }, 500);
      });
      input.addEventListener("change", function () { clearTimeout(timer); change(q.id, {text: input.value}); });
      box.appendChild(input);
    } else {
      const kind = takes === "choices" ? "checkbox" : "radio";
      q.options.forEach(function (option) {
        const label = el("label", "quiz-opt");
        const input = el("input");
        input.type = kind;
        input.name = q.id;
        input.value = option.id;
        input.checked = (current.choices || []).indexOf(option.id) >= 0;
        input.addEventListener("change", function () {
          const chosen = Array.prototype.map.call(
            form.querySelectorAll('input[name="' + CSS.escape(q.id) + '"]:checked'), function (i) { return i.value; });
          change(q.id, {choices: chosen});
        });
        label.appendChild(input);
        // A true-or-false question's options are 正确 / 错误 themselves: no T. / F. in front of them.
        if (q.type !== "truefalse") { label.appendChild(el("span", "quiz-opt-id", option.id + ".")); }
        const text = el("span", "quiz-opt-text");
        text.innerHTML = option.html;
        label.appendChild(text);
        box.appendChild(label);
      });
    }
    form.appendChild(box);
  });
}

export function answeredCount(questions, answers) {
  return questions.filter(function (q) {
    const a = answers[q.id];
    return a && ((a.choices && a.choices.length) || (a.text && a.text.trim()));
  }).length;
}

/** 已保存, 保存中…, or how many changes wait to be sent. */
export function saveStatus(pending, sending, msg) {
  if (pending) { return sending ? msg("saving") : msg("pending", {n: pending}); }
  return msg("saved");
}

/** The finished state: the form and buttons go, the score and 及格 / 不及格 (when the result has them: a result
 * not graded yet has neither, and then nothing is said) and the result's link show. */
export function showDone(doc, result, resultUrl, msg) {
  doc.getElementById("quiz-form").hidden = true;
  doc.getElementById("quiz-actions").hidden = true;
  const done = doc.getElementById("quiz-done");
  if (result && typeof result.score === "number") {
    doc.getElementById("quiz-done-score").textContent = number(result.score) + " / " + number(result.max_score);
    if (typeof result.passed === "boolean") {
      const outcome = doc.getElementById("quiz-done-outcome");
      outcome.textContent = msg(result.passed ? "passed" : "failed");
      outcome.className = result.passed ? "status-pass" : "status-fail";
    }
  }
  doc.getElementById("quiz-done-link").href = resultUrl;
  done.hidden = false;
  doc.getElementById("quiz-done-link").focus();
}
