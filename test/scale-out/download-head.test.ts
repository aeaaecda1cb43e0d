// The HEAD-on-downloads suite again, on PostgreSQL + S3 (the store's own read path differs).
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../download-head.test.js');
