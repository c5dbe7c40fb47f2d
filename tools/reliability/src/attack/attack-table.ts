import { attackClassTitles } from './attack.ts';
import { addedAfterFixes, brokenBeforeFixes, pendingAttacks } from './pending-attacks.ts';
import type { AttackOutcome } from './run-attack.ts';

const mebibytes = (bytes: number | undefined) =>
  bytes === undefined ? '–' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The verdict on one outcome: `held` (it held, and did on main before the fixes too), `fixed` (it holds
 * now, and broke before the fixes), `holds` (it holds now; written after the fixes, never run before
 * them), `broken` (an assertion of the fixed behaviour failed; the branch building the fix is named when
 * the attack is pending).
 */
export function verdict(outcome: AttackOutcome): string {
  if (outcome.failures.length === 0) {
    if (brokenBeforeFixes.has(outcome.id)) return 'fixed';
    return addedAfterFixes.has(outcome.id) ? 'holds' : 'held';
  }
  const branch = pendingAttacks.get(outcome.id);
  return branch === undefined ? '**broken**' : `**broken** (fix pending: ${branch})`;
}

/** The attack suite's table for docs/reliability.md: one row per attack, in class order, and a count per class. */
export function attackTable(outcomes: readonly AttackOutcome[]): string {
  const rows = outcomes
    .map(
      (outcome) =>
        `| ${outcome.attackClass} | \`${outcome.id}\`: ${cell(outcome.description)} | ${cell(outcome.endpoint)} | ${verdict(outcome)} | \`${cell(outcome.code.slice(0, 80))}\`${outcome.note === undefined ? '' : `: ${cell(outcome.note.slice(0, 120))}`} (expected ${outcome.expected.map((code) => `\`${code}\``).join(' / ')}) | ${mebibytes(outcome.peakRssGrowth)} / ${mebibytes(outcome.heapGrowth)} (bound ${outcome.peakRssBoundMiB === outcome.memoryBoundMiB ? '' : `${outcome.peakRssBoundMiB} / `}${outcome.memoryBoundMiB} MiB) | ${outcome.bystander === undefined ? 'no answer' : `${outcome.bystander.maxLatencyMs} ms (${outcome.bystander.calls} calls)`} | ${outcome.alive ? 'yes' : '**no**'} | ${cell(outcome.failures.join('; ').slice(0, 200))} |`,
    )
    .join('\n');
  const classes = [...new Set(outcomes.map((outcome) => outcome.attackClass))].sort(
    (left, right) => left - right,
  );
  const summary = classes
    .map((attackClass) => {
      const ofClass = outcomes.filter((outcome) => outcome.attackClass === attackClass);
      const count = (name: string) => ofClass.filter((outcome) => verdict(outcome).startsWith(name)).length;
      return `| ${attackClass} | ${attackClassTitles[attackClass]} | ${ofClass.length} | ${count('held') + count('holds')} | ${count('fixed')} | ${count('**broken**')} |`;
    })
    .join('\n');
  return `| class | title | attacks | held | fixed | broken |
|---|---|---|---|---|---|
${summary}

| class | attack | endpoint | outcome | code | peak RSS / heap + external growth | bystander's slowest answer | target alive | what failed |
|---|---|---|---|---|---|---|---|---|
${rows}`;
}
