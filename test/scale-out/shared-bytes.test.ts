// The shared-bytes suite again, on PostgreSQL + S3: bytes counted as objects in the bucket.
// The variable is read when each test server starts, so set it before loading.
process.env.DATAFILES_TEST_BACKEND = 'scale-out';
await import('../shared-bytes.test.js');
