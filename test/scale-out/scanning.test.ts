// The virus-scanning suite again, on PostgreSQL + S3 (the queue's claims and the S3 read path differ).
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../scanning.test.js');
