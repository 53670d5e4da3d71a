/**
 * serverless.yml gives every parameter a fallback so that `npm run package` and the local stack
 * work offline. Deploying with those fallbacks would create a stack that trusts the local token
 * issuer and reads buckets that are not the platform's, so `deploy` refuses to start unless each
 * parameter below is set for the stage (`params.<stage>` or `params.default` in serverless.yml, or
 * `--param "name=value"`), and the issuer is an https URL as API Gateway requires.
 * docs/deploy.md lists what each one means.
 */
'use strict';

const REQUIRED = [
  'jwtIssuer',
  'jwtAudience',
  'servedRegions',
  'auditLogBucket',
  'backupBuckets',
  'platformEventAccounts',
  'customerRoleTemplateUrl',
  'consoleOrigin',
];

class RequireDeployParams {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    // Before packaging and before any AWS call, so the refusal is the first thing the deployer sees.
    this.hooks = {
      initialize: () => {
        if (serverless.processedInput?.commands?.[0] === 'deploy') this.check();
      },
    };
  }

  check() {
    const stage = this.options.stage ?? this.serverless.service.provider.stage ?? 'dev';
    const fromConfig = this.serverless.configurationInput?.params ?? {};
    const given = new Map();
    for (const scope of ['default', stage]) {
      for (const [name, value] of Object.entries(fromConfig[scope] ?? {}))
        if (value != null && value !== '') given.set(name, String(value));
    }
    for (const item of [this.options.param ?? []].flat()) {
      const match = /^([^=]+)=(.+)$/.exec(item);
      if (match) given.set(match[1], match[2].trim());
    }
    const missing = REQUIRED.filter((name) => !given.has(name));
    const problems = missing.length > 0 ? [`set ${missing.join(', ')} for stage "${stage}"`] : [];
    const issuer = given.get('jwtIssuer');
    if (issuer !== undefined && !issuer.startsWith('https://'))
      problems.push(`jwtIssuer must be an https URL, not "${issuer}"`);
    // AWS quick-create links read templates from S3 only.
    const template = given.get('customerRoleTemplateUrl');
    if (template !== undefined && !/^https:\/\/[^/]*s3[^/]*\.amazonaws\.com\/\S+$/.test(template)) {
      problems.push(`customerRoleTemplateUrl must be an https S3 URL, not "${template}"`);
    }
    // CORS compares origins exactly: scheme and host (and port), no path, no trailing slash.
    const origin = given.get('consoleOrigin');
    if (origin !== undefined && !/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(origin))
      problems.push(`consoleOrigin must be an https origin such as https://console.example.com, not "${origin}"`);
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(`Refusing to deploy: ${problems.join('; ')} (see docs/deploy.md).`);
    }
  }
}

module.exports = RequireDeployParams;
