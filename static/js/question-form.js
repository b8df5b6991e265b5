// The question editor: shows only the answer part of the chosen type, and adds or removes option rows (up to ten).
// Without this script every part and six option rows show, and the server ignores the parts of other types.
const form = document.querySelector('.question-form');
if (form) {
  const type = form.querySelector('select[name=type]');
  const parts = form.querySelectorAll('.type-part');
  const showParts = () => {
    for (const part of parts) part.hidden = !part.dataset.types.split(' ').includes(type.value);
  };
  type.addEventListener('change', showParts);
  showParts();

  const rows = form.querySelector('[data-option-rows]');
  const add = form.querySelector('[data-add-option]');
  const remove = form.querySelector('[data-remove-option]');
  const LETTERS = 'ABCDEFGHIJ';
  const refresh = () => {
    const count = rows.querySelectorAll('[data-option-row]').length;
    add.hidden = count >= LETTERS.length;
    remove.hidden = count <= 2;
  };
  add.addEventListener('click', () => {
    const all = rows.querySelectorAll('[data-option-row]');
    const index = all.length;
    if (index >= LETTERS.length) return;
    const row = all[all.length - 1].cloneNode(true);
    const letter = LETTERS[index];
    row.querySelector('.option-letter').textContent = letter;
    const text = row.querySelector('input[type=text]');
    text.name = `options-${index}`;
    text.id = `options-${index}`;
    text.value = '';
    const label = text.getAttribute('aria-label') || '';
    text.setAttribute('aria-label', label.replace(/[A-J]$/, letter));
    const box = row.querySelector('input[type=checkbox]');
    box.value = String(index);
    box.checked = false;
    rows.appendChild(row);
    text.focus();
    refresh();
  });
  remove.addEventListener('click', () => {
    const all = rows.querySelectorAll('[data-option-row]');
    if (all.length > 2) all[all.length - 1].remove();
    refresh();
  });
  refresh();
}
