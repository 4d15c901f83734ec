-- RedriveExecution: an ended execution runs again (status back to RUNNING, redrive_count + 1). AWS reports
-- when it was last redriven (DescribeExecution's and ListExecutions' redriveDate).
ALTER TABLE executions ADD COLUMN redrive_date REAL;
