from osservatorio.cli import main

main()
