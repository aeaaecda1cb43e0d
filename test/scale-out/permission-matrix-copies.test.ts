// The copy/duplicate permission matrix again, on PostgreSQL + S3.
// The variable is read when each test server starts, so set it before loading.
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../permission-matrix-copies.test.js');
