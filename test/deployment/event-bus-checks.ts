/**
 * Checks that platform events can come only from the platform (issue 11, found item 2): every
 * EventBridge rule pattern names the accounts it takes events from (the platform's producers on the
 * service's bus, the service's own account on the default bus), and the service bus's policy admits
 * only the configured producer accounts, or roles of theirs, to put events. The producers are what
 * the functions are configured with (PLATFORM_EVENT_ACCOUNTS, from `platformEventAccounts`), so a
 * rule or policy that drifts from the setting fails. Each returns the problems it found.
 */
import type { Check } from './template-checks';
import { props, resourcesOfType, shortName, type Template } from './template';

type Props = Record<string, unknown>;

const PLATFORM_BUS = 'PlatformEventBus';
const OWN_ACCOUNT = 'AWS::AccountId';

const isObject = (value: unknown): value is Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a template condition holds: Fn::Not and Fn::Equals of the literals packaging leaves. */
function conditionHolds(template: Template, value: unknown): boolean {
  if (typeof value === 'string') return conditionHolds(template, template.Conditions?.[value]);
  if (!isObject(value)) throw new Error(`cannot evaluate the condition ${JSON.stringify(value)}`);
  if (Array.isArray(value['Fn::Not'])) return !conditionHolds(template, value['Fn::Not'][0]);
  const equals = value['Fn::Equals'];
  if (Array.isArray(equals)) return JSON.stringify(equals[0]) === JSON.stringify(equals[1]);
  throw new Error(`cannot evaluate the condition ${JSON.stringify(value)}`);
}

/** A value as a flat list, with Fn::If decided and Fn::Split of a literal applied; anything else by shortName. */
function listOf(template: Template, value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((item) => listOf(template, item));
  if (isObject(value) && Array.isArray(value['Fn::If'])) {
    const [condition, whenTrue, whenFalse] = value['Fn::If'] as unknown[];
    return listOf(template, conditionHolds(template, condition) ? whenTrue : whenFalse);
  }
  if (isObject(value) && Array.isArray(value['Fn::Split'])) {
    const [separator, text] = value['Fn::Split'] as unknown[];
    if (typeof separator === 'string' && typeof text === 'string') return text.split(separator);
  }
  return [shortName(value)];
}

/** The producer accounts the functions are configured with. */
function producerAccounts(template: Template): string[] {
  const configured = resourcesOfType(template, 'AWS::Lambda::Function')
    .map(
      ([, fn]) =>
        ((props(fn).Environment as Props | undefined)?.Variables as Props | undefined)?.PLATFORM_EVENT_ACCOUNTS,
    )
    .find((value) => value !== undefined);
  return listOf(template, configured).flatMap((value) => value.split(','));
}

const sameSet = (a: string[], b: string[]) =>
  a.length > 0 && new Set(a).size === new Set(b).size && a.every((item) => b.includes(item));

/** Every rule with a pattern names its accounts: the producers on the service bus, this account elsewhere. */
export const eventRuleAccounts: Check = (template) => {
  const producers = producerAccounts(template);
  return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([id, rule]) => {
    const pattern = props(rule).EventPattern as Props | undefined;
    if (!pattern) return []; // a schedule
    const accounts = listOf(template, pattern.account);
    if (accounts.length === 0) return [`${id} takes events from any account (no account in its pattern)`];
    const onPlatformBus = shortName(props(rule).EventBusName) === PLATFORM_BUS;
    const expected = onPlatformBus ? producers : [OWN_ACCOUNT];
    return sameSet(accounts, expected)
      ? []
      : [`${id} takes events from ${accounts.join(', ')}, not only from ${expected.join(', ')}`];
  });
};

/** The account of a policy principal: an account id, its root, or a role or user of it. */
const accountOfPrincipal = (principal: string) =>
  /^\d{12}$/.test(principal) ? principal : /^arn:aws[\w-]*:iam::(\d{12}):/.exec(principal)?.[1];

/** The service bus has a policy, and what it allows is PutEvents on that bus by the producers alone. */
export const platformBusPolicy: Check = (template) => {
  const producers = producerAccounts(template);
  const policies = resourcesOfType(template, 'AWS::Events::EventBusPolicy').filter(
    ([, policy]) => shortName(props(policy).EventBusName) === PLATFORM_BUS,
  );
  if (policies.length === 0) return [`${PLATFORM_BUS} has no policy admitting the platform's producers`];
  return policies.flatMap(([id, policy]) => {
    const p = props(policy);
    // The policy's statement list, or its older single-statement properties.
    const statements = (p.Statement ? [p.Statement].flat() : [{ Effect: 'Allow', ...p }]) as Props[];
    return statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => {
        const principal = isObject(statement.Principal) ? statement.Principal.AWS : statement.Principal;
        const principals = listOf(template, principal);
        const problems = principals
          .filter((value) => !producers.includes(accountOfPrincipal(value) ?? ''))
          .map((value) => `${id} admits ${value || '(empty)'}, which is not a producer (${producers.join(', ')})`);
        if (principals.length === 0) problems.push(`${id} allows without a principal`);
        const actions = listOf(template, statement.Action);
        if (!sameSet(actions, ['events:PutEvents'])) problems.push(`${id} allows ${actions.join(', ')}`);
        const resources = listOf(template, statement.Resource);
        if (!sameSet(resources, [PLATFORM_BUS])) problems.push(`${id} allows on ${resources.join(', ')}`);
        return problems;
      });
  });
};
