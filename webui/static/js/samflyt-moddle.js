// The moddle descriptor of SpiffWorkflow's BPMN extensions
// (http://spiffworkflow.org/bpmn/schema/1.0/core, SpiffWorkflow/spiff/parser/schema/spiffworkflow.xsd),
// so that the bpmn-js modeler reads and writes them losslessly: without it an element of a
// known namespace but unknown type would be dropped on export.
(function () {
  "use strict";
  function text(name) {
    // An element whose content is a string: <spiffworkflow:preScript>...</spiffworkflow:preScript>
    return {name: name, superClass: ["Element"],
            properties: [{name: "text", isBody: true, type: "String"}]};
  }
  function attrs(name, names, extra) {
    return {name: name, superClass: ["Element"],
            properties: names.map(function (n) { return {name: n, isAttr: true, type: "String"}; })
              .concat(extra || [])};
  }
  window.SamflytModdle = {
    name: "SpiffWorkflow",
    prefix: "spiffworkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    xml: {tagAlias: "lowerCase"},
    associations: [],
    types: [
      {name: "Properties", superClass: ["Element"],
       properties: [{name: "properties", type: "Property", isMany: true}]},
      attrs("Property", ["name", "value"], [{name: "text", isBody: true, type: "String"}]),
      text("InstructionsForEndUser"),
      text("CalledDecisionId"),
      text("PreScript"),
      text("PostScript"),
      text("MessagePayload"),
      text("MessageVariable"),
      text("PayloadExpression"),
      text("VariableName"),
      {name: "UnitTests", superClass: ["Element"],
       properties: [{name: "unitTests", type: "UnitTest", isMany: true}]},
      attrs("UnitTest", ["id"], [{name: "inputJson", type: "InputJson"},
                                 {name: "expectedOutputJson", type: "ExpectedOutputJson"}]),
      text("InputJson"),
      text("ExpectedOutputJson"),
      attrs("ServiceTaskOperator", ["id", "resultVariable"],
            [{name: "parameters", type: "Parameters"}, {name: "retry", type: "Retry"}]),
      {name: "Parameters", superClass: ["Element"],
       properties: [{name: "parameters", type: "Parameter", isMany: true}]},
      attrs("Parameter", ["id", "type", "value"], [{name: "text", isBody: true, type: "String"}]),
      attrs("Retry", ["retries", "backoff_base"]),
      {name: "ProcessVariableCorrelation", superClass: ["Element"],
       properties: [{name: "propertyId", type: "PropertyId"},
                    {name: "expression", type: "Expression"}]},
      text("PropertyId"),
      text("Expression"),
      {name: "ScriptsOnInstances", isAbstract: true,
       extends: ["bpmn:MultiInstanceLoopCharacteristics"],
       properties: [{name: "scriptsOnInstances", isAttr: true, type: "String"}]}
    ],
    enumerations: []
  };
})();
