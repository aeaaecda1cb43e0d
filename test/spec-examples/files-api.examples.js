/* eslint-disable -- not our code: the spec's examples, verbatim */
// The JavaScript code examples of the spec (shared/spec/files-api.md, section "Files API"),
// copied byte for byte, in the order they appear there. Do not edit: test/spec-examples.test.ts
// checks this file against the spec and a pinned SHA-256; test/support/specExamples.ts runs it.

function uploadFile(name, description = "", public = false, file) {
  const formData = new FormData();
  formData.append("file", file);
  const url = `/domo/data-files/v1?name=${name}&description=${description}&public=${public}`;
  const options = { contentType: "multipart" };
  return domo.post(url, formData, options);
}

function uploadRevision(file, dataFileId) {
  const formData = new FormData();
  formData.append("file", file);
  const url = `/domo/data-files/v1/${dataFileId}`;
  const options = { contentType: "multipart" };
  return domo.put(url, formData, options);
}

function getFileDetailsList(ids = null, expand = null, limitToOwned = false) {
  const params = new URLSearchParams();
  if (ids !== null) params.append("ids", ids);
  if (expand !== null) params.append("expand", expand);

  const queryString = params.toString();
  const url = `/domo/data-files/v1/details/?limitToOwned=${limitToOwned}${
    queryString !== "" ? `&${queryString}` : ""
  }`;
  return domo.get(url);
}

function getFileDetails(dataFileId, expandList = null) {
  let url = `/domo/data-files/v1/${dataFileId}/details`;
  if (expandList !== null) {
    url += `?expand=${expandList.join()}`;
  }

  return domo.get(url);
}

import Download from "downloadjs";
function downloadFile(dataFileId, filename, revisionId) {
  const options = { responseType: "blob" };
  const url = `/domo/data-files/v1/${dataFileId}${
    !!revisionId ? `/revisions/${revisionId}` : ""
  }`;
  return domo.get(url, options).then((data) => {
    Download(data, filename);
  });
}

function deleteFile(dataFileId, revisionId) {
  const url = `/domo/data-files/v1/${dataFileId}/revisions/${revisionId}`;
  return domo.delete(url);
}

function getFilePermissions(dataFileId) {
  const url = `/domo/data-files/v1/${dataFileId}/permissions`;
  return domo.get(url);
}

function upadateFilePermissions(dataFileId, data) {
  const url = `/domo/data-files/v1/${dataFileId}/permissions`;
  return domo.put(url, data);
}
