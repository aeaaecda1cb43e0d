// The client-compatibility suite again, on PostgreSQL + S3 (issue 13: both backends).
// The variable is read when each test server starts, so set it before loading.
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../client-compat.test.js');
