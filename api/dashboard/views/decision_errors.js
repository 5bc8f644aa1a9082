// What a refused decision or comment means, in words (README: 403 forbidden, 409 conflict).
export function explain(error, what) {
  switch (error.status) {
    case 0:
      return `Not sent: the server cannot be reached. Your text is kept; try again once the ` +
        'connection is back.';
    case 403:
      return `You may not ${what} this approval. ${error.message}`;
    case 404:
      return 'This approval no longer exists, or you may no longer see it.';
    case 409:
      return `Someone was faster: ${error.message}.`;
    case 429:
      return `Too many attempts; wait a moment and try again. ${error.message}`;
    default:
      return error.message;
  }
}
