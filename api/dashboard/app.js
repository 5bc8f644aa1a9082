// The dashboard's entry point. The page itself is being built (issue 10).
document.getElementById('app').textContent = 'Assent dashboard';
