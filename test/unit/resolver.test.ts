import { describe, expect, it } from 'vitest';
import { type Candidate, resolve, winners, type Source } from '../../shared/resolver.js';
import { GROUPS, highest, permutations } from '../support/precedence-cases.js';

/**
 * The precedence rule of shared/resolver.ts: when one name is found more than once,
 * variable < linked global secret < direct environment secret, whatever the order.
 * test/api/precedence.test.ts checks the runtime read applies it to a real table.
 */

/** A different version per source, so that the version reported is visibly the winner's. */
const VERSIONS: Record<Source, number> = { variable: 3, 'global-linked': 5, environment: 7 };

describe('resolve', () => {
  for (const group of GROUPS) {
    const winner = highest(group);
    for (const order of permutations(group)) {
      it(`${order.join(' then ')}: ${winner} wins`, () => {
        // Only the winner is a file: the name is listed in files.
        const winnerIsFile = resolve(
          order.map((source): Candidate => ({
            name: 'DUP',
            source,
            value: `v-${source}`,
            isFile: source === winner,
            version: VERSIONS[source],
          })),
        );
        expect(winnerIsFile.env).toEqual({ DUP: `v-${winner}` });
        expect(winnerIsFile.sources).toEqual({ DUP: winner });
        expect(winnerIsFile.files).toEqual(['DUP']);
        expect(winnerIsFile.versions).toEqual({ DUP: VERSIONS[winner] });

        // Every loser is a file, the winner is not: files follows the winner, so it is empty.
        const losersAreFiles = resolve(
          order.map((source): Candidate => ({
            name: 'DUP',
            source,
            value: `v-${source}`,
            isFile: source !== winner,
            version: VERSIONS[source],
          })),
        );
        expect(losersAreFiles.env).toEqual({ DUP: `v-${winner}` });
        expect(losersAreFiles.sources).toEqual({ DUP: winner });
        expect(losersAreFiles.files).toEqual([]);

        expect(
          winners(order.map((source) => ({ name: 'DUP', source, isFile: false, version: VERSIONS[source] }))),
        ).toEqual({ sources: { DUP: winner }, versions: { DUP: VERSIONS[winner] } });
      });
    }
  }

  it('resolves each name on its own, and lists names and files sorted', () => {
    const candidates: Candidate[] = [
      { name: 'ZETA', source: 'environment', value: 'z-env', isFile: true, version: 1 },
      { name: 'ALPHA', source: 'global-linked', value: 'a-link', isFile: true, version: 1 },
      { name: 'ZETA', source: 'variable', value: 'z-var', isFile: false, version: 1 },
      { name: 'MID', source: 'variable', value: 'm-var', isFile: false, version: 1 },
      { name: 'ALPHA', source: 'environment', value: 'a-env', isFile: false, version: 1 },
      { name: 'BETA', source: 'global-linked', value: 'b-link', isFile: true, version: 1 },
      { name: 'BETA', source: 'variable', value: 'b-var', isFile: false, version: 1 },
    ];
    for (const order of [candidates, [...candidates].reverse()]) {
      const resolved = resolve(order);
      expect(Object.keys(resolved.env)).toEqual(['ALPHA', 'BETA', 'MID', 'ZETA']);
      expect(resolved.env).toEqual({ ALPHA: 'a-env', BETA: 'b-link', MID: 'm-var', ZETA: 'z-env' });
      expect(resolved.sources).toEqual({
        ALPHA: 'environment',
        BETA: 'global-linked',
        MID: 'variable',
        ZETA: 'environment',
      });
      expect(resolved.files).toEqual(['BETA', 'ZETA']);
    }
  });

  it('takes any iterable, read once', () => {
    function* candidates(): Generator<Candidate> {
      yield { name: 'A', source: 'variable', value: 'var', isFile: false, version: 1 };
      yield { name: 'A', source: 'global-linked', value: 'link', isFile: false, version: 1 };
    }
    expect(resolve(candidates())).toEqual({
      env: { A: 'link' },
      sources: { A: 'global-linked' },
      files: [],
      versions: { A: 1 },
    });
  });

  it('resolves nothing to nothing', () => {
    expect(resolve([])).toEqual({ env: {}, sources: {}, files: [], versions: {} });
    expect(winners([])).toEqual({ sources: {}, versions: {} });
  });
});
