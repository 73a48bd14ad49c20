/**
 * The console's one stylesheet, served by the console itself (the Content-Security-Policy
 * allows styles from this origin only, and no inline style). Light and dark schemes, visible
 * focus, contrast of at least 4.5:1 for text. Every page fits a screen from 360 px wide: the
 * page never scrolls sideways; a table wider than its card scrolls inside it (`.table-scroll`),
 * its row actions kept in view at the card's right edge.
 */
export const STYLESHEET = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9;
  --surface: #ffffff;
  --text: #1c2024;
  --muted: #5b6470;
  --border: #d8dde3;
  --accent: #3d4fd6;
  --accent-text: #ffffff;
  --accent-soft: #eef0fd;
  --danger: #b42318;
  --danger-soft: #fdf0ef;
  --ok: #1d6b3a;
  --ok-soft: #ebf7ef;
  --warn: #8a4b00;
  --warn-soft: #fff4e0;
  --focus: #3d4fd6;
  --radius: 8px;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418;
    --surface: #1a1e24;
    --text: #e8eaed;
    --muted: #a3acb8;
    --border: #333a44;
    --accent: #8b97ff;
    --accent-text: #0d1020;
    --accent-soft: #232848;
    --danger: #ff8a80;
    --danger-soft: #3a1f1d;
    --ok: #7fd69c;
    --ok-soft: #16301f;
    --warn: #ffc266;
    --warn-soft: #33260f;
    --focus: #a9b2ff;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 15px/1.5 var(--sans);
}
a { color: var(--accent); text-underline-offset: 2px; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 3px; }
main:focus { outline: none; }
.mono, code { font-family: var(--mono); font-size: 0.92em; }
.muted { color: var(--muted); }
.optional { color: var(--muted); font-weight: 400; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--surface); padding: 0.5rem 0.75rem;
  border: 2px solid var(--focus); border-radius: var(--radius); z-index: 10; }
.skip-link:focus { top: 0.5rem; }

.topbar { background: var(--surface); border-bottom: 1px solid var(--border); }
.topbar-inner { max-width: 1080px; margin: 0 auto; padding: 0.6rem 1.25rem; display: flex; align-items: center;
  gap: 1.5rem; flex-wrap: wrap; }
.brand { font-weight: 700; color: var(--text); text-decoration: none; letter-spacing: 0.01em; }
.brand-mark { color: var(--accent); }
.sections ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem; margin: 0; padding: 0; }
.sections a { display: block; padding: 0.4rem 0.7rem; border-radius: 6px; color: var(--muted); text-decoration: none;
  font-weight: 500; }
.sections a:hover { color: var(--text); background: var(--bg); }
.sections a[aria-current="page"] { color: var(--text); background: var(--accent-soft); }
.signout { margin-left: auto; display: flex; align-items: center; gap: 0.75rem; }
.who { font-size: 0.93rem; }

/* A long name or value breaks anywhere rather than widen the page; a table keeps its words whole and scrolls. */
main { max-width: 1080px; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; overflow-wrap: anywhere; }
.page-header { margin: 0.25rem 0 1.25rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.25rem 0; }
h2 { font-size: 1.15rem; margin: 0 0 0.75rem; }
h3 { font-size: 1rem; margin: 0 0 0.5rem; }
.lead { color: var(--muted); margin: 0.25rem 0 0; max-width: 46rem; }
.crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0; padding: 0; font-size: 0.9rem; }
.crumbs li::after { content: "/"; margin-left: 0.4rem; color: var(--muted); }

.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 1.1rem 1.25rem;
  margin-bottom: 1.25rem; }
.card > p:last-child { margin-bottom: 0; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.25rem; align-items: start; }
.grid-wide { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); }
@media (max-width: 820px) { .grid, .grid-wide { grid-template-columns: minmax(0, 1fr); } }
.card-danger { border-color: var(--danger); }

.notice { background: var(--ok-soft); color: var(--ok); border: 1px solid currentColor; border-radius: var(--radius);
  padding: 0.6rem 0.9rem; margin-bottom: 1.25rem; font-weight: 500; }
.notice-empty { display: none; }
.page-error, .form-error { color: var(--danger); background: var(--danger-soft); border-left: 4px solid var(--danger);
  padding: 0.55rem 0.8rem; border-radius: 4px; margin: 0.5rem 0 0; font-weight: 500; flex-basis: 100%; }
.readonly { color: var(--muted); background: var(--bg); border: 1px dashed var(--border); border-radius: var(--radius);
  padding: 0.6rem 0.9rem; }

/* An environment's tabs: links to pages of their own, the current one marked (aria-current). */
.tabs { margin: 0 0 1.25rem; border-bottom: 1px solid var(--border); }
.tabs ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0 0.25rem; margin: 0; padding: 0; }
.tabs a { display: block; padding: 0.5rem 0.75rem; margin-bottom: -1px; color: var(--muted); text-decoration: none;
  font-weight: 500; border-bottom: 3px solid transparent; }
.tabs a:hover { color: var(--text); border-bottom-color: var(--border); }
.tabs a[aria-current="page"] { color: var(--text); font-weight: 600; border-bottom-color: var(--accent); }

.scopes { display: flex; align-items: center; gap: 0.75rem; margin: 0 0 1.25rem; flex-wrap: wrap; }
.scopes-label { color: var(--muted); font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.06em; }
.scopes ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0; padding: 0; }
.scopes a { display: inline-flex; gap: 0.5rem; align-items: center; padding: 0.3rem 0.75rem; border: 1px solid var(--border);
  border-radius: 999px; color: var(--text); text-decoration: none; background: var(--surface); }
.scopes a[aria-current="page"] { border-color: var(--accent); background: var(--accent-soft); font-weight: 600; }
.role { color: var(--muted); font-size: 0.8rem; font-weight: 400; }

.table-scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; overflow-wrap: normal; }
caption { text-align: left; color: var(--muted); padding-bottom: 0.4rem; }
th, td { text-align: left; padding: 0.55rem 0.6rem; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); font-weight: 600; }
tbody tr:last-child td { border-bottom: none; }
td.name { font-family: var(--mono); font-weight: 600; min-width: 12rem; max-width: 24rem; overflow-wrap: anywhere; }
/* Row actions stay at the right edge of a table that scrolls (a long name, a narrow screen). */
.table-scroll .row-actions, .table-scroll .restore-cell { position: sticky; right: 0; background: var(--surface); }
td.value { font-family: var(--mono); overflow-wrap: anywhere; }
td.row-actions { text-align: right; white-space: nowrap; }
td.row-actions form { display: inline; }
td.row-actions .form-error { white-space: normal; text-align: left; }
td.restore-cell { min-width: 15rem; }
.restore-form { display: flex; flex-direction: column; gap: 0.5rem; }
.restore-form .field label { font-weight: 500; font-size: 0.9rem; }
.empty { color: var(--muted); margin: 0.25rem 0; }
.links-list { margin: 0; padding: 0; list-style: none; }
.inline-form { display: inline; }
.links-list + h3, .empty + h3 { margin-top: 1rem; }
.hidden-value { color: var(--muted); font-style: italic; font-family: var(--sans); }
.cell-note { display: block; color: var(--muted); font-size: 0.85rem; font-weight: 400; font-family: var(--sans); }

.badge { display: inline-block; font-size: 0.78rem; font-weight: 600; padding: 0.1rem 0.55rem; border-radius: 999px;
  border: 1px solid var(--border); white-space: nowrap; }
.badge-environment { background: var(--accent-soft); color: var(--accent); border-color: transparent; }
.badge-global-linked { background: var(--ok-soft); color: var(--ok); border-color: transparent; }
.badge-variable { color: var(--muted); }
.badge-file { color: var(--muted); margin-left: 0.4rem; }
.badge-current { background: var(--ok-soft); color: var(--ok); border-color: transparent; margin-left: 0.4rem; }
.badge-optional { color: var(--muted); margin-left: 0.4rem; font-family: var(--sans); }

.expiry-soon { color: var(--warn); background: var(--warn-soft); border-radius: 4px; padding: 0 0.3rem; font-weight: 600; }
.expiry-expired { color: var(--danger); background: var(--danger-soft); border: 1px solid var(--danger); border-radius: 4px;
  padding: 0 0.3rem; font-weight: 700; }
.check { font-weight: 600; white-space: nowrap; }
.check-ok { color: var(--ok); }
.check-missing { color: var(--danger); }
.check-optional { color: var(--muted); }
.readiness { padding: 0.55rem 0.8rem; border-radius: 4px; margin: 0 0 0.9rem; border-left: 4px solid currentColor; }
.readiness-ready { color: var(--ok); background: var(--ok-soft); }
.readiness-blocked { color: var(--danger); background: var(--danger-soft); }

form.stack { display: flex; flex-direction: column; gap: 0.9rem; }
.field { display: flex; flex-direction: column; gap: 0.3rem; }
.field label { font-weight: 600; }
.hint { margin: 0; color: var(--muted); font-size: 0.88rem; }
input[type="text"], input[type="password"], input[type="datetime-local"], textarea, select {
  font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border); border-radius: 6px;
  padding: 0.5rem 0.6rem; width: 100%;
}
textarea { resize: vertical; min-height: 4.5rem; }
input.mono, textarea.mono { font-family: var(--mono); }
input:hover, textarea:hover, select:hover { border-color: var(--muted); }
.field-invalid input, .field-invalid textarea, .field-invalid select { border-color: var(--danger); border-width: 2px; }
.field-retype { margin: 0; color: var(--warn); font-weight: 600; font-size: 0.92rem; }
.field-error { margin: 0; color: var(--danger); font-weight: 500; font-size: 0.92rem; }
.field-error::before { content: "⚠ "; }
.field-check { flex-direction: row; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.field-check input { width: 1.1rem; height: 1.1rem; }
.field-check label { font-weight: 500; }
.field-check .field-error { flex-basis: 100%; }

.actions { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; }
.button { font: inherit; font-weight: 600; cursor: pointer; border-radius: 6px; padding: 0.5rem 1rem; white-space: nowrap;
  border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); }
.button:hover { filter: brightness(1.08); }
.button-quiet { background: transparent; color: var(--text); border-color: var(--border); padding: 0.35rem 0.8rem; }
.button-small { padding: 0.25rem 0.65rem; font-size: 0.88rem; }
.button-danger { background: var(--danger); border-color: var(--danger); color: #fff; }
.button-link { font: inherit; background: none; border: none; padding: 0; color: var(--accent); text-decoration: underline;
  text-underline-offset: 2px; cursor: pointer; }
.precedence { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; margin: 0 0 0.75rem; color: var(--muted); }
.signin { max-width: 28rem; margin: 3rem auto 0; }
.signin .lead { margin-bottom: 1.25rem; }
h2 + .hint { margin: -0.35rem 0 0.9rem; }
.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.5rem; align-items: start; }
.split > form { border-left: 1px solid var(--border); padding-left: 1.5rem; }
@media (max-width: 820px) {
  .split { grid-template-columns: minmax(0, 1fr); }
  .split > form { border-left: none; padding-left: 0; border-top: 1px solid var(--border); padding-top: 1rem; }
}
@media (max-width: 640px) {
  main { padding: 1rem 0.75rem 3rem; }
  .topbar-inner { padding: 0.5rem 0.75rem; gap: 0.5rem 1rem; }
  .card { padding: 0.9rem 0.85rem; }
  th, td { padding: 0.5rem 0.45rem; }
  /* Columns keep a readable width (the table scrolls instead); the actions cell, over them, stays narrow. */
  .table-scroll th, .table-scroll td { min-width: 8rem; }
  td.name { max-width: 11rem; }
  .table-scroll .row-actions { min-width: 0; white-space: normal; box-shadow: inset 1px 0 0 var(--border); }
  .table-scroll .restore-cell { box-shadow: inset 1px 0 0 var(--border); }
  td.restore-cell { min-width: 11rem; }
}
`;
