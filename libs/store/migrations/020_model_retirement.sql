-- A radiologist's model can be retired: nothing of that name serves any more, and the radiologist's reports go back
-- to the shared model (a rollback of their first adapter). The row keeps the retired version for the history.
ALTER TABLE model_deployments DROP CONSTRAINT IF EXISTS model_deployments_action_check;
ALTER TABLE model_deployments
  ADD CONSTRAINT model_deployments_action_check CHECK (action IN ('bootstrap', 'promotion', 'rollback', 'retirement'));
