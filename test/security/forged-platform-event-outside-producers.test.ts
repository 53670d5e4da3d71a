/**
 * Attacker: an account that is not a producer of platform events (a customer's account, or the
 * platform account on the wrong bus), or a producer that forges the service's own notifications.
 * A `Project Upserted` sent from outside would move the victim's project into the attacker's
 * organization: only the producer accounts may put events on the service's bus, only the service's
 * functions may publish its notifications, and the function refuses an event from any other
 * account even if a misconfigured rule delivers it.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as recordPlatformEvent } from '#functions/record-platform-event/handler';
import { loadProject } from '#shared/projects/project-store';
import { api, mintToken, uniqueAccountId } from '../support/local-stack';
import { PLATFORM_ACCOUNT, PLATFORM_EVENT_BUS, PLATFORM_EVENT_BUS_ARN, platformProject } from '../support/platform';
import { lambdaContext } from '../support/lambda-context';
import { envelope, orgOf, put, settle } from './support/platform-events';

describe('events from outside the producers', () => {
  it(
    "a customer account moves the victim's project into its organization through its own default bus: nothing " +
      'changes',
    async () => {
      const victim = await platformProject();
      const attacker = uniqueAccountId();
      const sent = await put(attacker, 'default', 'platform.projects', 'Project Upserted', {
        projectId: victim.projectId,
        orgId: 'org-attacker',
        plan: 'enterprise',
      });
      expect(sent).toHaveProperty('eventId');
      await settle();
      expect(await orgOf(victim)).toBe(victim.orgId);
      const attackerOwner = api(mintToken({ sub: 'attacker', org: 'org-attacker', orgRole: 'owner', projects: {} }));
      expect((await attackerOwner.get(victim.base)).status).toBe(404);
    },
  );

  it("a customer puts the event on the service's bus by ARN: AccessDeniedException, nothing changes", async () => {
    const victim = await platformProject();
    const sent = await put(uniqueAccountId(), PLATFORM_EVENT_BUS_ARN, 'platform.projects', 'Project Upserted', {
      projectId: victim.projectId,
      orgId: 'org-attacker',
      plan: 'enterprise',
    });
    expect(sent).toMatchObject({ error: { name: 'AccessDeniedException' } });
    await settle();
    expect(await orgOf(victim)).toBe(victim.orgId);
  });

  it(
    "a customer account names the service's bus by name: the event lands on its own account's bus, nothing " +
      'changes',
    async () => {
      const victim = await platformProject();
      await put(uniqueAccountId(), PLATFORM_EVENT_BUS, 'platform.projects', 'Project Upserted', {
        projectId: victim.projectId,
        orgId: 'org-attacker',
        plan: 'enterprise',
      });
      await settle();
      expect(await orgOf(victim)).toBe(victim.orgId);
    },
  );

  it(
    "a producer forges the service's own notification (an integration FAILED, which would e-mail the victim's " +
      "customers): AccessDeniedException; only the service's functions publish them",
    async () => {
      const victim = await platformProject();
      const forged = {
        projectId: victim.projectId,
        integrationId: 'integ-aaaaaaaaaaaaaaaaaaaa',
        status: 'FAILED',
        previousStatus: 'ACTIVE',
        detectedBy: 'export',
        code: 'BUCKET_ACCESS_DENIED',
        at: new Date().toISOString(),
      };
      for (const bus of [PLATFORM_EVENT_BUS, PLATFORM_EVENT_BUS_ARN]) {
        const sent = await put(PLATFORM_ACCOUNT, bus, 's3-integrations', 'Integration Status Changed', forged);
        expect(sent).toMatchObject({ error: { name: 'AccessDeniedException' } });
      }
      // The producer's own events still go through: the refusal is about the service's source only.
      expect(
        await put(PLATFORM_ACCOUNT, PLATFORM_EVENT_BUS, 'platform.projects', 'Project Upserted', {
          projectId: victim.projectId,
          orgId: victim.orgId,
          plan: 'enterprise',
        }),
      ).toMatchObject({ eventId: expect.any(String) });
    },
  );

  it(
    'the platform account puts the event on its default bus instead of the service bus: the service does not ' +
      'listen there',
    async () => {
      const victim = await platformProject();
      await put(PLATFORM_ACCOUNT, 'default', 'platform.projects', 'Project Upserted', {
        projectId: victim.projectId,
        orgId: 'org-attacker',
        plan: 'enterprise',
      });
      await settle();
      expect(await orgOf(victim)).toBe(victim.orgId);
    },
  );

  it(
    'an event delivered with an account that is not a producer (a misconfigured rule) is refused by the function ' +
      'itself',
    async () => {
      const projectId = `proj-${randomBytes(6).toString('hex')}`;
      const event = envelope(
        'platform.projects',
        'Project Upserted',
        { projectId, orgId: 'org-x', plan: 'enterprise' },
        { account: '999999999999' },
      );
      await recordPlatformEvent(event, lambdaContext());
      expect(await loadProject(projectId)).toBeUndefined();
    },
  );
});
