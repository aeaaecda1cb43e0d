// Uploads in the browser (issue 15, item 4): the shell mounts UploadTray; a file's page mounts
// UploadRevisionButton. Views that list files may listen for UPLOADED_EVENT on window.
export { UploadTray, UploadPanel } from './panel';
export { UploadRevisionButton } from './revision';
export { UPLOADED_EVENT } from './uploads';
