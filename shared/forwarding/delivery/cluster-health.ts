/**
 * One cluster's forwarding health as a delivery path changes it: deliveries, failures and the lag
 * of what is still pending, saved on the forwarding item in one UpdateItem together with the lag
 * history's slot in progress (recordLag sits beside this write, and only here).
 *
 * Events deliver a cluster's files a few at a time, many times a minute: their health is saved
 * when something a reader would notice changed (a failure, a recovery, a lag) and otherwise at
 * most once per SAVE_INTERVAL_MS, so a busy cluster does not rewrite its item for every file.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import type { IntegrationHealth } from '#shared/integrations/schemas';
import { keys } from '#shared/table/keys';
import type { DeliveryProblem } from '#shared/forwarding/delivery-problems';
import type { Forwarding } from '#shared/forwarding/forwarding';
import { recordLag } from '#shared/forwarding/lag-history';
import { publishForwardingHealth } from '#shared/notifications/publish';

export const SAVE_INTERVAL_MS = 60_000;

const ageInSeconds = (since: number, now: number) => Math.max(0, Math.round((now - since) / 1000));

export class ClusterHealth {
  private health: IntegrationHealth;
  /** The health as last stored, which a notification compares the new one with. */
  private stored: IntegrationHealth;
  private noteworthy = false;

  constructor(
    private readonly forwarding: Pick<
      Forwarding,
      'projectId' | 'clusterId' | 'integrationId' | 'generation' | 'health' | 'lagSlot'
    >,
  ) {
    this.health = { ...forwarding.health };
    this.stored = forwarding.health;
  }

  get current(): IntegrationHealth {
    return this.health;
  }

  /** Files confirmed in the customer's bucket: the newest sets the last delivery and its latency. */
  delivered(confirmed: Array<{ landedAt: Date; confirmedAt: Date }>): void {
    const newest = confirmed.reduce<{ landedAt: Date; confirmedAt: Date } | undefined>(
      (best, file) => (!best || file.confirmedAt > best.confirmedAt ? file : best),
      undefined,
    );
    if (!newest) return;
    if (this.health.consecutiveFailures > 0) this.noteworthy = true;
    this.health.consecutiveFailures = 0;
    this.health.lastDeliveryAt = newest.confirmedAt.toISOString();
    this.health.deliveryLatencySeconds = Math.max(0, newest.confirmedAt.getTime() - newest.landedAt.getTime()) / 1000;
  }

  failed(problem: Pick<DeliveryProblem, 'code' | 'message'>, now = Date.now()): void {
    this.noteworthy = true;
    this.health.consecutiveFailures += 1;
    this.health.lastError = { code: problem.code, message: problem.message, at: new Date(now).toISOString() };
  }

  /** Nothing waits (0), or the oldest pending file was written at `pendingSince`. */
  pending(pendingSince: Date | undefined, now = Date.now()): void {
    const lag = pendingSince ? Math.max(1, ageInSeconds(pendingSince.getTime(), now)) : 0;
    if (lag > 0 !== (this.health.lagSeconds ?? 0) > 0) this.noteworthy = true;
    this.health.lagSeconds = lag;
  }

  /** Whether a save would tell a reader something new enough to be worth a write. */
  worthSaving(now = Date.now()): boolean {
    const lastSaved = this.forwarding.health.lastDeliveryAt ? Date.parse(this.forwarding.health.lastDeliveryAt) : 0;
    return this.noteworthy || (this.health.lagSeconds ?? 0) > 0 || now - lastSaved >= SAVE_INTERVAL_MS;
  }

  /**
   * Writes health and the lag slot, conditioned on the enablement, and with `lease` on the lease
   * (which `release` gives back). False: forwarding was turned off, or the lease lost.
   */
  async save(options: { lease?: { owner: string; release: boolean }; now?: number } = {}): Promise<boolean> {
    const now = options.now ?? Date.now();
    const { projectId, clusterId, generation } = this.forwarding;
    const lagSlot = await recordLag({ projectId, clusterId }, this.forwarding.lagSlot, this.health.lagSeconds, now);
    const set = ['health = :health', ...(lagSlot ? ['lagSlot = :lagSlot'] : [])];
    const values: Record<string, unknown> = {
      ':health': this.health,
      ':generation': generation,
      ...(lagSlot ? { ':lagSlot': lagSlot } : {}),
    };
    let condition = 'generation = :generation';
    let remove = '';
    if (options.lease) {
      condition += ' AND leaseOwner = :owner';
      values[':owner'] = options.lease.owner;
      if (options.lease.release) remove = ' REMOVE leaseOwner, leaseUntil';
    }
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: config().TABLE_NAME,
          Key: keys.forwarding(projectId, clusterId),
          UpdateExpression: `SET ${set.join(', ')}${remove}`,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      this.noteworthy = false;
      // The one place forwarding health is stored, so the one place its change is announced.
      await publishForwardingHealth(
        { projectId, clusterId, integrationId: this.forwarding.integrationId },
        this.stored,
        this.health,
      );
      this.stored = { ...this.health };
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
