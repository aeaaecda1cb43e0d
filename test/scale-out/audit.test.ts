// The audit suite again, on PostgreSQL + S3 (issue 12). The variable is read when each test server
// starts, so set it before loading.
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../audit.test.js');
