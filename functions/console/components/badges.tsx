import type { Source } from '../../../shared/resolver.js';

export const SOURCE_LABELS: Record<Source, string> = {
  environment: 'Direct secret',
  'global-linked': 'Linked global secret',
  variable: 'Variable',
};

export const SourceBadge = (props: { source: Source }) => (
  <span class={`badge badge-${props.source}`}>{SOURCE_LABELS[props.source]}</span>
);

/** A timestamp, readable and machine-readable. */
export const Time = (props: { at: string }) => (
  <time datetime={props.at}>{props.at.slice(0, 16).replace('T', ' ')} UTC</time>
);
