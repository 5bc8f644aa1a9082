// The signed-in token, kept for this tab's session only (sessionStorage: gone when the tab
// closes, never in a URL or a cookie).
const KEY = 'assent.token';

export const session = {
  get token() {
    return sessionStorage.getItem(KEY);
  },
  signIn(token) {
    sessionStorage.setItem(KEY, token);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
  },
};
