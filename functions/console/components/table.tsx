import type { Child } from 'hono/jsx';

/**
 * A table that, on a screen narrower than its columns, scrolls sideways inside its card
 * instead of widening the page, each row's actions kept in view at its right edge
 * (stylesheet.ts: `.table-scroll`).
 */
export const Table = (props: { children: Child }) => (
  <div class="table-scroll">
    <table>{props.children}</table>
  </div>
);
