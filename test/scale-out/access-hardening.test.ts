// The secrets-and-access suite again, on PostgreSQL + S3 (permissions are stored in PostgreSQL).
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../access-hardening.test.js');
