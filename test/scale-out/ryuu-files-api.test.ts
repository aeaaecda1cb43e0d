// The ryuu-files-api suite again, on PostgreSQL + S3 (docs/history.md, issue 5: the whole end-to-end suite runs on both
// configurations). The variable is read when each test server starts, so set it before loading.
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../ryuu-files-api.test.js');
