// Where `auditor export log-analytics` sends its rows: two custom tables in an existing Log
// Analytics workspace (one row per audit run, one per finding), a data collection endpoint, and a
// data collection rule that takes both streams as they are (transformKql 'source') into the tables.
// Optionally grants an identity Monitoring Metrics Publisher on the rule (what sending needs).
//
// az deployment group create -g RG -f examples/log-analytics/main.bicep \
//   -p workspaceName=WORKSPACE principalId=OBJECT_ID_OF_THE_PIPELINE_IDENTITY
//
// The outputs are the two values the export takes: --endpoint and --rule-id.
// The column lists below are the auditor's row schema (auditor/export/rows.py); a test keeps them equal.

@description('Name of the existing Log Analytics workspace (in this resource group).')
param workspaceName string

@description('Region of the endpoint and the rule: the workspace\'s region.')
param location string = resourceGroup().location

@description('Name of the data collection endpoint.')
param endpointName string = 'dce-auditor'

@description('Name of the data collection rule.')
param ruleName string = 'dcr-auditor'

@description('Days the tables keep their rows (interactive retention).')
@minValue(4)
@maxValue(730)
param retentionInDays int = 90

@description('Object id of the identity that runs the export (pipeline, managed identity); empty: no role assignment.')
param principalId string = ''

@allowed(['ServicePrincipal', 'User', 'Group'])
param principalType string = 'ServicePrincipal'

var runsTableName = 'AuditorRuns_CL'
var findingsTableName = 'AuditorFindings_CL'
var runsStream = 'Custom-${runsTableName}'
var findingsStream = 'Custom-${findingsTableName}'

// One row per audit run.
var runColumns = [
  { name: 'TimeGenerated', type: 'datetime' }
  { name: 'GeneratedAt', type: 'datetime' }
  { name: 'RunId', type: 'string' }
  { name: 'Tool', type: 'string' }
  { name: 'ToolVersion', type: 'string' }
  { name: 'Baseline', type: 'string' }
  { name: 'BaselineVersion', type: 'string' }
  { name: 'BaselineVariant', type: 'string' }
  { name: 'Source', type: 'string' }
  { name: 'Subscriptions', type: 'dynamic' }
  { name: 'ResourceCount', type: 'int' }
  { name: 'Score', type: 'real' }
  { name: 'Coverage', type: 'real' }
  { name: 'Passed', type: 'int' }
  { name: 'Failed', type: 'int' }
  { name: 'NotAssessed', type: 'int' }
  { name: 'Waived', type: 'int' }
  { name: 'Errors', type: 'int' }
  { name: 'RecommendedFailed', type: 'int' }
  { name: 'FindingCount', type: 'int' }
  { name: 'FamilyScores', type: 'dynamic' }
  { name: 'GatePassed', type: 'boolean' }
]

// One row per finding of a run (RunId joins the two tables).
var findingColumns = [
  { name: 'TimeGenerated', type: 'datetime' }
  { name: 'GeneratedAt', type: 'datetime' }
  { name: 'RunId', type: 'string' }
  { name: 'RuleId', type: 'string' }
  { name: 'RuleName', type: 'string' }
  { name: 'Family', type: 'string' }
  { name: 'Severity', type: 'string' }
  { name: 'Level', type: 'string' }
  { name: 'Status', type: 'string' }
  { name: 'ResourceId', type: 'string' }
  { name: 'ResourceType', type: 'string' }
  { name: 'SubscriptionId', type: 'string' }
  { name: 'Title', type: 'string' }
  { name: 'Message', type: 'string' }
  { name: 'Expected', type: 'dynamic' }
  { name: 'Actual', type: 'dynamic' }
  { name: 'Waiver', type: 'dynamic' }
  { name: 'Workload', type: 'string' }
  { name: 'WorkloadId', type: 'string' }
]

// A table spells the date type 'dateTime'; a stream declaration spells it 'datetime'.
var runTableColumns = map(runColumns, c => { name: c.name, type: c.type == 'datetime' ? 'dateTime' : c.type })
var findingTableColumns = map(findingColumns, c => { name: c.name, type: c.type == 'datetime' ? 'dateTime' : c.type })

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {
  name: workspaceName
}

resource runsTable 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = {
  parent: workspace
  name: runsTableName
  properties: {
    plan: 'Analytics'
    retentionInDays: retentionInDays
    schema: {
      name: runsTableName
      columns: runTableColumns
    }
  }
}

resource findingsTable 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = {
  parent: workspace
  name: findingsTableName
  properties: {
    plan: 'Analytics'
    retentionInDays: retentionInDays
    schema: {
      name: findingsTableName
      columns: findingTableColumns
    }
  }
}

resource endpoint 'Microsoft.Insights/dataCollectionEndpoints@2022-06-01' = {
  name: endpointName
  location: location
  properties: {
    networkAcls: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource rule 'Microsoft.Insights/dataCollectionRules@2022-06-01' = {
  name: ruleName
  location: location
  properties: {
    dataCollectionEndpointId: endpoint.id
    streamDeclarations: {
      '${runsStream}': {
        columns: runColumns
      }
      '${findingsStream}': {
        columns: findingColumns
      }
    }
    destinations: {
      logAnalytics: [
        {
          name: 'workspace'
          workspaceResourceId: workspace.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [runsStream]
        destinations: ['workspace']
        transformKql: 'source'
        outputStream: runsStream
      }
      {
        streams: [findingsStream]
        destinations: ['workspace']
        transformKql: 'source'
        outputStream: findingsStream
      }
    ]
  }
  dependsOn: [
    runsTable
    findingsTable
  ]
}

// Monitoring Metrics Publisher: the built-in role that may send rows through a data collection rule.
var monitoringMetricsPublisher = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '3913510d-42f4-4e42-8a64-420c390055eb'
)

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(rule.id, principalId, monitoringMetricsPublisher)
  scope: rule
  properties: {
    roleDefinitionId: monitoringMetricsPublisher
    principalId: principalId
    principalType: principalType
  }
}

@description('--endpoint of auditor export log-analytics')
output logsIngestionEndpoint string = endpoint.properties.logsIngestion.endpoint

@description('--rule-id of auditor export log-analytics')
output ruleImmutableId string = rule.properties.immutableId
