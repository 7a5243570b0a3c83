-- Argo CD health check for dbuser.dev/DatabaseUser (docs/adr/0012-gitops-health.md).
-- Reads the kstatus conditions the operator writes beside Ready: Stalled=True is Degraded with the
-- operator's reason, Ready=True at the current generation is Healthy, anything else is Progressing.
-- Uses only the base and table libraries, which is all Argo CD opens for health scripts by default.
local hs = {}

local function condition(conditions, wanted)
  for _, c in ipairs(conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function describe(c)
  return c.reason .. ": " .. c.message
end

local status = obj.status or {}
local conditions = status.conditions or {}
local ready = condition(conditions, "Ready")
local stalled = condition(conditions, "Stalled")
local reconciling = condition(conditions, "Reconciling")
local generation = obj.metadata.generation

if obj.metadata.deletionTimestamp ~= nil then
  -- A protected user is never dropped: deleting it waits for a person (DeletionBlocked).
  if isTrue(stalled) then
    hs.status = "Degraded"
    hs.message = describe(stalled)
  else
    hs.status = "Progressing"
    hs.message = "Deleting: the operator drops the role (or retains it) and releases its finalizer"
  end
  return hs
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile the user"
  return hs
end

-- A status older than the spec says nothing about the spec: the operator has not reconciled it yet.
if generation ~= nil and (status.observedGeneration ~= generation or ready.observedGeneration ~= generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile generation " .. generation
  return hs
end

if isTrue(stalled) then
  hs.status = "Degraded"
  hs.message = describe(stalled)
elseif isTrue(ready) then
  hs.status = "Healthy"
  hs.message = ready.message
elseif isTrue(reconciling) then
  hs.status = "Progressing"
  hs.message = describe(reconciling)
else
  hs.status = "Progressing"
  hs.message = describe(ready)
end
return hs
