// The download-headers suite again, on PostgreSQL + S3 (stored rows are written to PostgreSQL).
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../security-headers.test.js');
