/**
 * The console's one script: the Copy button beside a new API key, the one thing the console
 * shows that a person must carry elsewhere. Served from the console's own origin and allowed only
 * on the page that shows the key (headers.ts `withOwnScript`); without it the key is still there
 * to select and copy by hand, and the button stays hidden.
 */
export const COPY_SCRIPT_PATH = '/console/assets/copy.js';

export const COPY_SCRIPT = `'use strict';
for (const button of document.querySelectorAll('button[data-copy]')) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copy + '-status');
  if (!field || !status) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = 'Copied to the clipboard.';
    } catch {
      field.select();
      status.textContent = 'Could not copy: the key is selected, copy it with your keyboard.';
    }
  });
}
`;
