from dnssec_doctor.cli import main

main()
