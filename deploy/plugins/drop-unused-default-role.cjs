/**
 * Every function here has its own role (serverless-iam-roles-per-function), yet the framework
 * still compiles its shared default role, IamRoleLambdaExecution, and grants it the union of the
 * event-source permissions (e.g. sqs:ReceiveMessage on both work queues). A role no function uses
 * is only an attack surface for a security review to question, so it is removed from the
 * template, but only when nothing refers to it any more; otherwise packaging fails and says who.
 *
 * Runs on before:package:finalize, after serverless-iam-roles-per-function (listed before this
 * plugin in serverless.yml) has moved every function to its own role.
 */
'use strict';

const DEFAULT_ROLE = 'IamRoleLambdaExecution';

function refersTo(node, logicalId) {
  if (Array.isArray(node)) return node.some((item) => refersTo(item, logicalId));
  if (node === null || typeof node !== 'object') return node === logicalId;
  return Object.entries(node).some(([key, value]) => {
    if (key === 'Ref' || key === 'DependsOn') return refersTo(value, logicalId);
    if (key === 'Fn::GetAtt')
      return Array.isArray(value) ? value[0] === logicalId : String(value).split('.')[0] === logicalId;
    if (key === 'Fn::Sub') return JSON.stringify(value).includes(`\${${logicalId}`) || refersTo(value, logicalId);
    return typeof value === 'object' && value !== null && refersTo(value, logicalId);
  });
}

class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    if (!template.Resources[DEFAULT_ROLE]) return;
    const users = Object.entries(template.Resources)
      .filter(([logicalId, resource]) => logicalId !== DEFAULT_ROLE && refersTo(resource, DEFAULT_ROLE))
      .map(([logicalId]) => logicalId);
    const outputs = Object.keys(template.Outputs ?? {}).filter((name) =>
      refersTo(template.Outputs[name], DEFAULT_ROLE),
    );
    if (users.length > 0 || outputs.length > 0) {
      throw new this.serverless.classes.Error(
        `${DEFAULT_ROLE} is still used by ${[...users, ...outputs].join(', ')}: ` +
          'give each of them its own iamRoleStatements.',
      );
    }
    delete template.Resources[DEFAULT_ROLE];
  }
}

module.exports = DropUnusedDefaultRole;
