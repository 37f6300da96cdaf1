package controls

// secretControls are the controls of Secrets Manager secrets (components/secrets).
var secretControls = []*Control{}
