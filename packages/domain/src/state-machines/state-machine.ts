import { failedPrecondition, type DomainError } from "../errors";

/** StateMachine is a lifecycle as data: its states and the transitions each state allows. */
export interface StateMachine<S extends string> {
  /** What the machine describes, used in messages (e.g. `VM power state`). */
  readonly name: string;
  readonly states: readonly S[];
  readonly transitions: Readonly<Record<S, readonly S[]>>;
  /** States with no way out. */
  readonly terminal: readonly S[];
}

/** TransitionCheck is the answer to "may this state change to that one", with the reason when not. */
export type TransitionCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** checkTransition says whether `from → to` is legal in a machine and, if not, why. Staying in a state is always legal. */
export function checkTransition<S extends string>(machine: StateMachine<S>, from: S, to: S): TransitionCheck {
  if (!machine.states.includes(from))
    return { ok: false, reason: `${machine.name} ${from} is not a known state` };
  if (!machine.states.includes(to))
    return { ok: false, reason: `${machine.name} ${to} is not a known state` };
  if (from === to) return { ok: true };
  const allowed = machine.transitions[from];
  if (allowed.includes(to)) return { ok: true };
  if (machine.terminal.includes(from))
    return { ok: false, reason: `${machine.name} cannot leave ${from}: it is final` };
  return {
    ok: false,
    reason: `${machine.name} cannot go from ${from} to ${to}; from ${from} it may go to ${allowed.join(", ")}`,
  };
}

/** canTransition is the boolean form of checkTransition. */
export function canTransition<S extends string>(machine: StateMachine<S>, from: S, to: S): boolean {
  return checkTransition(machine, from, to).ok;
}

/** assertTransition throws FailedPrecondition, with the reason, when `from → to` is not legal. */
export function assertTransition<S extends string>(machine: StateMachine<S>, from: S, to: S): void {
  const check = checkTransition(machine, from, to);
  if (!check.ok) throw transitionError(check.reason, from, to);
}

function transitionError(reason: string, from: string, to: string): DomainError {
  return failedPrecondition(reason, { from, to });
}

/** defineStateMachine checks a machine's table at definition time: every target is a state and terminal states have no exits. */
export function defineStateMachine<S extends string>(machine: StateMachine<S>): StateMachine<S> {
  for (const s of machine.states) {
    const targets = machine.transitions[s];
    if (!targets) throw new Error(`${machine.name}: no transitions listed for ${s}`);
    for (const t of targets)
      if (!machine.states.includes(t)) throw new Error(`${machine.name}: ${s} → ${t} names an unknown state`);
  }
  for (const t of machine.terminal)
    if (machine.transitions[t].length > 0) throw new Error(`${machine.name}: terminal state ${t} has exits`);
  return Object.freeze(machine);
}
