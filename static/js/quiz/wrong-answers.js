/* The wrong-answer book (错题本, templates/attempts/wrong_answers.html): 检查 answers in place. Without JavaScript the
 * form posts and the page comes back at the same item with the answer kept; with it, the answer is checked through the
 * API and shown under the item, the choice stays as it is and the page does not move.
 */
import {csrfToken} from "./api.js";
import {el} from "./render.js";

const list = document.getElementById("wa-list");
if (list && window.fetch) { start(list); }

function start(list) {
  const d = list.dataset;
  const csrf = csrfToken(document);

  function show(item, data) {
    const result = item.querySelector(".wa-result");
    result.textContent = "";
    result.appendChild(el("p", data.correct ? "status-pass" : "status-fail", data.correct ? d.msgRight : d.msgWrong));
    const answer = el("p");
    const parts = d.msgAnswer.split("{answer}");
    answer.appendChild(document.createTextNode(parts[0]));
    const words = el("span");
    words.innerHTML = data.answer_html.join(d.separator || "；");  // sanitized by the server (nh3 allow-list)
    answer.appendChild(words);
    answer.appendChild(document.createTextNode(parts[1] || ""));
    result.appendChild(answer);
    if (data.explanation_html) {
      const explanation = el("div", "quiz-explanation");
      explanation.innerHTML = data.explanation_html;  // sanitized by the server
      result.appendChild(explanation);
    }
    if (data.newly_mastered) { result.appendChild(el("p", "status-pass", d.msgMastered)); }
    Array.prototype.forEach.call(item.querySelectorAll(".wa-mark"), function (mark) { mark.remove(); });
    (data.correct_choices || []).forEach(function (id) {
      const option = item.querySelector('.quiz-opt[data-option="' + CSS.escape(id) + '"]');
      if (option) { option.appendChild(el("span", "quiz-answer-right wa-mark", " ✔ " + d.msgCorrectOption)); }
    });
    const progress = item.querySelector(".wa-progress");
    if (progress) {
      progress.textContent = data.correct_days ?
        d.msgProgress.replace("{n}", data.correct_days).replace("{total}", data.mastery_days) : "";
    }
  }
  function failed(item, message) {
    const result = item.querySelector(".wa-result");
    result.textContent = "";
    result.appendChild(el("p", "status-fail", message));
  }
  list.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.classList.contains("wa-check")) { return; }
    event.preventDefault();
    const item = form.closest(".wa-item");
    const body = {attempt_id: Number(form.dataset.attemptId), question_id: form.dataset.questionId};
    const text = form.querySelector('input[name="text"]');
    if (text) {
      body.text = text.value;
    } else {
      body.choices = Array.prototype.map.call(form.querySelectorAll('input[name="choice"]:checked'),
                                              function (input) { return input.value; });
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    fetch(d.checkUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) { show(item, data); return; }
        failed(item, (data.error || {}).message || d.msgError);  // the server's words (e.g. 答案尚未公布)
      });
    }, function () {
      failed(item, d.msgError);  // offline
    }).then(function () { button.disabled = false; });
  });
}
